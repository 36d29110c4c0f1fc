/**
 * L2TableCache: whole L2 tables read once and kept, least recently used first out, within a byte
 * budget. Tables are read through the image's ByteSource; a table past the end of the file reads
 * as zeros (QEMU's file layer zero-fills short reads the same way).
 */
import { readPadded, type ByteSource } from '../format/byte-source.js';
import { TableView } from '../format/table-view.js';

/** Default budget: 32 MiB of L2 tables (512 tables of 64 KiB, 16 of 2 MiB). */
const L2_CACHE_BYTES_DEFAULT = 32 * 1024 * 1024;

export class L2TableCache {
  private readonly tables = new Map<number, TableView>();
  private readonly tableCountMax: number;
  private lastOffsetBytes = -1;
  private lastTable: TableView | null = null;

  /**
   * @param source the image file
   * @param tableSizeBytes one cluster
   * @param budgetBytes upper bound on the bytes kept (at least one table is always kept)
   */
  constructor(
    private readonly source: ByteSource,
    private readonly tableSizeBytes: number,
    budgetBytes = L2_CACHE_BYTES_DEFAULT,
  ) {
    this.tableCountMax = Math.max(1, Math.floor(budgetBytes / tableSizeBytes));
  }

  /** The L2 table at `offsetBytes` (cluster-aligned, checked by the caller). */
  get(offsetBytes: number): TableView {
    if (offsetBytes === this.lastOffsetBytes && this.lastTable) return this.lastTable;
    let table = this.tables.get(offsetBytes);
    if (table) {
      this.tables.delete(offsetBytes); // re-insert: Map order is the recency order
    } else {
      table = new TableView(readPadded(this.source, offsetBytes, this.tableSizeBytes));
      if (this.tables.size >= this.tableCountMax) {
        const oldest = this.tables.keys().next().value as number;
        this.tables.delete(oldest);
      }
    }
    this.tables.set(offsetBytes, table);
    this.lastOffsetBytes = offsetBytes;
    this.lastTable = table;
    return table;
  }

  /** Number of tables held (for tests of the bound). */
  get sizeTables(): number {
    return this.tables.size;
  }
}
