// The article editor: a live preview of the unsaved text, and a slug that follows a new article's title.
// The preview is the server's rendering of the public article page (POSTed with the form's CSRF token
// into a sandboxed frame), so it shows exactly what visitors will see. Without JavaScript, the
// "Refresh preview" button does the same.

const PREVIEW_DELAY_MS = 300;

// A new article's slug is made from its title until the editor types one of their own. Accents are
// dropped here; a title with letters that have no ASCII form ("Счета", "Straße") leaves the field
// empty, and the server makes the slug when it saves, transliterating them ("scheta", "strasse").
function slugOf(text) {
  const folded = text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  if (/[\p{L}\p{N}]/u.test(folded.replace(/[A-Za-z0-9]/g, ""))) return "";
  return folded.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
}

function setUpEditor(form) {
  const previewButton = document.getElementById("editor-preview-button");
  const frame = document.getElementById("kb-preview");
  let timer = null;

  function refreshPreview() {
    timer = null;
    frame.setAttribute("aria-busy", "true");
    form.requestSubmit(previewButton);
  }

  frame.addEventListener("load", () => frame.removeAttribute("aria-busy"));
  form.addEventListener("input", (event) => {
    if (event.target.name === "note") return; // not part of the page
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(refreshPreview, PREVIEW_DELAY_MS);
  });

  const title = document.getElementById("title");
  const slug = document.getElementById("slug");
  if (slug && !slug.readOnly) {
    let followsTitle = slug.value === "" || slug.value === slugOf(title.value);
    slug.addEventListener("input", () => { followsTitle = slug.value === ""; });
    title.addEventListener("input", () => { if (followsTitle) slug.value = slugOf(title.value); });
  }

  refreshPreview();
}

const form = document.getElementById("editor-form");
if (form) setUpEditor(form);
