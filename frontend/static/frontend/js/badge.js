// Unread counts stop at 100 (messaging.selectors.UNREAD_CAP): from there a
// badge says "99+", as the server's templates do (frontend badge_count).
export const UNREAD_CAP = 100;

export function badgeCount(n) {
  return n >= UNREAD_CAP ? `${UNREAD_CAP - 1}+` : String(n);
}
