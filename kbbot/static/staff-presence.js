/* kbbot staff pages of agents: presence heartbeats, the title's count, browser notifications, the
 * other agents on a handoff, the customer typing, and keyboard shortcuts. The entry module (modules in
 * console/). Without it the pages work as they are: the header's online/away toggle is a form.
 */

import { initKeyboard } from "./console/keyboard.js";
import { initPresence } from "./console/presence.js";

const presence = document.getElementById("presence");
if (presence) initPresence(presence);
initKeyboard();
