/* kbbot agent console: live updates for the handoff queue and a handoff's page, article search, links.
 * The entry module (modules in console/).
 *
 * The pages work without it: they are rendered by the server and every action is a POST form. It
 * polls the staff API with the signed-in session, so new handoffs and new customer messages appear
 * without a reload.
 */

import { initHandoff } from "./console/handoff.js";
import { labels } from "./console/labels.js";
import { initQueue } from "./console/queue.js";

if (labels) {
  const queue = document.getElementById("queue");
  if (queue) initQueue(queue);
  const handoff = document.getElementById("handoff");
  if (handoff) initHandoff(handoff);
}
