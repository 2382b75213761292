/**
 * The last value each of a camera's detectors reported, kept across subscriptions. A new
 * subscription opens with every property's current value as Initialized [ONVIF Core §9.2.2]: a
 * value that differs from the one we last knew changed while we were not subscribed (the camera
 * was off, or rebooted), and that change is an event. Pure.
 */
export class KnownStates {
  private readonly values = new Map<string, boolean>()

  /** Records a detector's value; true when it differs from the value known before. */
  changed(key: string, active: boolean): boolean {
    const before = this.values.get(key)
    this.values.set(key, active)
    return before !== undefined && before !== active
  }

  /** The property was Deleted: nothing is known of it any more. */
  forget(key: string): void {
    this.values.delete(key)
  }
}
