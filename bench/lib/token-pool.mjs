// Refresh tokens rotate: each is presented once, and the answer carries its successor.

/** A FIFO of unused refresh tokens; each is taken once, and a rotation puts its successor back. */
export class TokenPool {
  constructor(capacity) {
    this.capacity = capacity;
    this.items = [];
    this.head = 0;
    /** Takes that found the pool empty (since the count was last reset). */
    this.exhausted = 0;
  }
  get size() {
    return this.items.length - this.head;
  }
  push(token) {
    if (typeof token === 'string' && this.size < this.capacity) this.items.push(token);
  }
  take() {
    if (this.head >= this.items.length) return undefined;
    const token = this.items[this.head];
    this.items[this.head++] = undefined;
    // Drop the taken head now and then, so that a long run does not keep every token it ever saw.
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return token;
  }
}
