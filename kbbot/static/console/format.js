// Times, durations and confidences, formatted as kbbot/web/staff/display.py formats them on the server.

import { el } from "./dom.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "";
  seconds = Math.max(0, Math.round(seconds));
  if (seconds < 60) return seconds + " s";
  let minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes < 60) return rest && minutes < 10 ? minutes + " min " + rest + " s" : minutes + " min";
  const hours = Math.floor(minutes / 60);
  minutes %= 60;
  if (hours < 24) return minutes ? hours + " h " + minutes + " min" : hours + " h";
  const days = Math.floor(hours / 24);
  return days === 1 ? "1 day" : days + " days";
}

// An SLA due time in words, as display.due: "Overdue 25 min", "Due in 40 min"; "" when nothing is due.
export function due(breached, seconds) {
  if (breached === null || breached === undefined) return "";
  return (breached ? "Overdue " : "Due in ") + duration(seconds);
}

export function timeAgo(moment, now) {
  const seconds = (now - moment) / 1000;
  if (seconds < 60) return "just now";
  if (seconds < 3600) return Math.floor(seconds / 60) + " min ago";
  if (seconds < 86400) return Math.floor(seconds / 3600) + " h ago";
  const days = Math.floor(seconds / 86400);
  return days === 1 ? "1 day ago" : days + " days ago";
}

export function relativeTo(moment, anchor) {
  const seconds = (moment - anchor) / 1000;
  if (Math.abs(seconds) < 1) return "at the handoff";
  return duration(Math.abs(seconds)) + (seconds < 0 ? " before" : " after") + " the handoff";
}

const pad = (number) => (number < 10 ? "0" : "") + number;

function absolute(moment) {
  return (
    MONTHS[moment.getUTCMonth()] + " " + moment.getUTCDate() + ", " + moment.getUTCFullYear() + ", " +
    pad(moment.getUTCHours()) + ":" + pad(moment.getUTCMinutes()) + " UTC"
  );
}

// With `reasonLabel` (the customer asked for a person), that reason instead of the confidences.
export function decision(actionLabel, confidence, sectionConfidence, reasonLabel = null) {
  if (reasonLabel !== null) return actionLabel + " · " + reasonLabel;
  const parts = [actionLabel];
  if (confidence !== null && confidence !== undefined) parts.push("article " + confidence.toFixed(2));
  if (sectionConfidence !== null && sectionConfidence !== undefined) {
    parts.push("section " + sectionConfidence.toFixed(2));
  }
  return parts.join(" · ");
}

export function timeNode(iso) {
  const node = el("time", null, absolute(new Date(iso)));
  node.setAttribute("datetime", iso);
  return node;
}

export function refreshAgo() {
  const now = new Date();
  for (const node of document.querySelectorAll("[data-ago]")) {
    node.textContent = timeAgo(new Date(node.getAttribute("data-ago")), now);
  }
}
