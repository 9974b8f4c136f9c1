/**
 * Appends `item` and drops the oldest entries beyond `max` (the Trainer's `history`, `guardLog`
 * and `events` keep at most `maxRecords` entries).
 * @param list the record list
 * @param item the new entry
 * @param max the most entries kept, >= 1
 */
export function boundedPush<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}
