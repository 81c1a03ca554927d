// A failure no retry can fix (the report is gone, its input is invalid):
// recorded as the report's final failure at once instead of after the
// queue's last attempt.
export class PermanentError extends Error {}
