// Dates and times, one rule everywhere, in the viewer's own language and
// time zone (the browser's): the time for today ("14:05"), "Yesterday
// 14:05", otherwise the date ("6 Dec", with the year when it is not this
// one); the full date and time in the title, shown on hover.
//
// The server renders <time datetime="ISO" data-when> ({% when %},
// intranet/templatetags/when.py) with the same rule as a fallback; this
// module rewrites every such element on the page, and again every minute
// (today becomes yesterday at midnight). data-when="date" is a calendar
// date with no time (a start date); data-when="clock" shows the time only
// (a message in a run of one sender's messages).

const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayMonth = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
const dayMonthYear = new Intl.DateTimeFormat(undefined, {
  day: "numeric", month: "short", year: "numeric",
});
const full = new Intl.DateTimeFormat(undefined, {
  dateStyle: "full", timeStyle: "short",
});
const fullDate = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeZone: "UTC" });
const shortDate = new Intl.DateTimeFormat(undefined, {
  day: "numeric", month: "short", year: "numeric", timeZone: "UTC",
});
const yesterday = (() => {
  const word = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" }).format(-1, "day");
  return word.charAt(0).toLocaleUpperCase() + word.slice(1);
})();

function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth()
    && a.getDate() === b.getDate();
}

/** Return `iso` (a date and time) by the rule, as of `now`. */
export function formatWhen(iso, now = new Date()) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  if (sameDay(date, now)) return clock.format(date);
  const before = new Date(now);
  before.setDate(now.getDate() - 1);
  if (sameDay(date, before)) return `${yesterday} ${clock.format(date)}`;
  return (date.getFullYear() === now.getFullYear() ? dayMonth : dayMonthYear).format(date);
}

/** Return the full date and time of `iso`, for a title. */
export function fullWhen(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : full.format(date);
}

/** Return the time of day of `iso` alone. */
export function formatClock(iso) {
  return clock.format(new Date(iso));
}

/** Write `el` (a <time>) by the rule, from its datetime attribute. */
export function stamp(el, now = new Date()) {
  const iso = el.dateTime;
  if (!iso) return;
  if (el.dataset.when === "date") {
    // A calendar date: the same day wherever the viewer is.
    const date = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
    if (Number.isNaN(date.getTime())) return;
    el.textContent = shortDate.format(date);
    el.title = fullDate.format(date);
    return;
  }
  el.textContent = el.dataset.when === "clock" ? formatClock(iso) : formatWhen(iso, now);
  el.title = fullWhen(iso);
}

/** Write every <time data-when> inside `root` by the rule. */
export function stampAll(root = document) {
  const now = new Date();
  for (const el of root.querySelectorAll("time[data-when]")) stamp(el, now);
}

stampAll();
setInterval(stampAll, 60 * 1000);
