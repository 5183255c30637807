// Mentions: the @ autocomplete of every composer, the "@" badge of a
// conversation with unread mentions of me, and the highlight on messages
// that mention me.
//
// One module per concern under mentions/:
//   page.js          who I am, the conversation on screen
//   people.js        the people one may mention, ranked for a query
//   autocomplete.js  the @ list in every box marked data-mentions
//   highlight.js     messages that mention me
//   badges.js        the sidebar's "@" badges
// This module sets them up.
import { setUpPeople } from "./mentions/people.js";
import { setUpAutocomplete } from "./mentions/autocomplete.js";
import { setUpHighlight } from "./mentions/highlight.js";
import { setUpBadges } from "./mentions/badges.js";

setUpPeople();
setUpAutocomplete();
setUpHighlight();
setUpBadges();
