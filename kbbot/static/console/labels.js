// The words the server uses for reasons, statuses, actions and ways in (#console-labels), so that
// live updates read as the rendered page does.
const node = document.getElementById("console-labels");
export const labels = node ? JSON.parse(node.dataset.labels) : null;
