import { Injectable } from '@nestjs/common';

/** Stands in for a real API client: jobs get it by dependency injection. */
@Injectable()
export class InventoryClient {
  private level = 100;

  async fetchStockLevel(signal: AbortSignal): Promise<number> {
    signal.throwIfAborted();
    this.level -= 1;
    return this.level;
  }
}
