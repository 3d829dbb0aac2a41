// Links in text people wrote (agents' replies, customers' messages), for the widget and the agent
// console alike, as kbbot/web/staff/display.py's linked_text reads them on the server: a Markdown link
// to an http(s) URL, or a bare http(s) URL. Brackets and backslashes in a link's text may come escaped
// ("Dark mode \[beta\]"); UNESCAPE drops the "\". A backslash always takes the character after it, so
// the pattern reads each text one way only.
export const LINK = /\[((?:\\[^\n]|[^[\]\\\n])+)\]\((https?:\/\/[^\s()]+)\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/g;
export const UNESCAPE = /\\([[\]\\])/g;
