import { RateLimitCircuitOpenError, RetryableError } from './errors.js';
import type { ExtractOptions, RawExtraction, TagExtractor } from './ports.js';

/** When the circuit opens and for how long. */
export interface CircuitSettings {
  /** Rate-limited answers in a row that open the circuit. */
  threshold: number;
  /** How long it stays open unless the server asked for longer (`retry-after`). */
  cooldownSeconds: number;
}

/*
 * Hand-written because the circuit-breaker libraries (opossum, cockatiel) count any failure
 * and know nothing of retry-after; ours only counts 429s and opens for as long as the server
 * asks. State lives per container, which is enough: every container sees the same rate limit.
 */

/**
 * Wraps an extractor: after `threshold` rate-limited answers in a row it stops calling the
 * model for the cooldown and fails fast with RateLimitCircuitOpenError, so a burst of 429s
 * does not spend every queued job's receives against a server that already said no.
 */
export class RateLimitCircuit implements TagExtractor {
  private consecutiveRateLimits = 0;
  private openUntil = 0;

  constructor(
    private readonly extractor: TagExtractor,
    private readonly settings: CircuitSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Extracts through the wrapped extractor unless the circuit is open. */
  async extract(entryText: string, options?: ExtractOptions): Promise<RawExtraction> {
    const remainingMs = this.openUntil - this.now();
    if (remainingMs > 0) throw new RateLimitCircuitOpenError(remainingMs / 1000);
    try {
      const result = await this.extractor.extract(entryText, options);
      this.consecutiveRateLimits = 0;
      return result;
    } catch (error) {
      if (error instanceof RetryableError && error.rateLimited) this.recordRateLimit(error.retryAfterSeconds);
      else this.consecutiveRateLimits = 0;
      throw error;
    }
  }

  private recordRateLimit(retryAfterSeconds = 0): void {
    this.consecutiveRateLimits++;
    if (this.consecutiveRateLimits < this.settings.threshold) return;
    const seconds = Math.max(this.settings.cooldownSeconds, retryAfterSeconds);
    this.openUntil = Math.max(this.openUntil, this.now() + seconds * 1000);
    this.consecutiveRateLimits = 0;
  }
}
