/** An interrupt line out of a device. The board wires each one to KVM_IRQ_LINE (an SPI of the VGIC). */

/** A level-sensitive interrupt output. */
export interface IrqLine {
  /** Drives the line high (asserted) or low. */
  set(level: boolean): void;
}

/** A line that remembers its level and counts its edges: for tests, and for devices left unwired. */
export class RecordingIrqLine implements IrqLine {
  /** Current level. */
  level = false;
  /** Low-to-high transitions seen. */
  raised = 0;

  set(level: boolean): void {
    if (level && !this.level) this.raised++;
    this.level = level;
  }
}
