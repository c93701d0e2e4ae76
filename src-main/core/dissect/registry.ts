// The dissector registry: protocols with their declared fields and expert items, dissector tables
// keyed by numbers ("link", "ethertype", "ip.proto", "tcp.port", "udp.port") and heuristic lists
// ("tcp", "udp"). Modules never import each other: each one registers itself here (see
// dissect/index.ts, the one file importing every module) and finds the others through tables.
//
// Writing a module (see engine.ts for the context `ctx` it receives):
//
//   export const fooModule: ProtocolModule = {
//     name: 'foo', column: 'FOO', title: 'Foo Protocol',
//     fields: [{ name: 'foo.len', label: 'Length', type: 'uint' }],
//     experts: [{ id: 'foo.bad', severity: 'warn', group: 'protocol', message: 'Bad foo' }],
//     register(r) { r.table('tcp.port').add(1234, fooModule); r.heuristics('tcp').add(fooModule); },
//     heuristic(ctx, off, end) { return looksLikeFoo(ctx.data, off, end); },  // cheap check, no side effects
//     dissect(ctx, off, end, tree) {
//       ctx.enter(fooModule);                       // protocol present; top protocol of the packet
//       ctx.need(off, 4, end);                      // throws Truncated -> "[Malformed Packet: FOO]"
//       const len = (ctx.data[off] << 8) | ctx.data[off + 1];
//       if (ctx.cols) ctx.setInfo(`Foo len=${len}`); // strings only when columns are wanted
//       const t = ctx.protoTree(tree, fooModule, off, end - off);  // null on the fast path
//       if (t) ctx.add(t, () => `Length: ${len}`, 'foo.len', len, off, 2);  // a label function:
//                                                   // fields() records the value, never builds it
//       return end - off;                           // bytes taken
//     },
//   };
//
// Rules: every read is preceded by a bounds check (ctx.need or an explicit length test); on the
// fast path (tree === null, ctx.cols === false) build no strings and no objects; state that a
// later random-access dissection needs is stored with ctx.setFrameData during the first pass
// (ctx.firstPass) and read back with ctx.frameData. `tree` is non-null in fields() too (a sink,
// ctx.fieldsOnly): record the same values there as in dissect(), and pass costly labels as
// functions; never read labels or node contents back to compute a value.

import type { ExpertGroup, ExpertSeverity, FieldNode } from './types.js';
import type { PacketContext } from './engine-context.js';

/** Field types, as Wireshark's FT_* (for the display filter: literal parsing and comparison). */
export type FieldType =
  | 'none' // presence only (e.g. tcp.analysis.flags); value is `true`
  | 'bool' // value boolean; filters may compare with 1/0/true/false
  | 'uint'
  | 'int'
  | 'float'
  | 'string'
  | 'bytes' // Uint8Array
  | 'ipv4' // string "10.0.0.1"
  | 'ipv6' // string "2001:db8::1"
  | 'ether' // string "00:50:56:8d:76:9d"
  | 'time' // absolute, number of seconds since the epoch
  | 'reltime' // number of seconds
  | 'framenum' // number: a frame number
  | 'protocol';

export interface FieldDef {
  /** filter name, exactly as Wireshark's ("tcp.srcport") */
  name: string;
  /** human label ("Source Port") */
  label: string;
  type: FieldType;
}

export interface ExpertDef {
  id: string;
  severity: ExpertSeverity;
  group: ExpertGroup;
  message: string;
}

/**
 * Dissects ctx.data[off, end) (ctx.source says which data source that is). Appends its nodes to
 * `tree` when it is not null. Returns the number of bytes it took.
 */
export type DissectFn = (ctx: PacketContext, off: number, end: number, tree: FieldNode[] | null) => number;

/** Cheap recognition test for a heuristic list: no side effects, no exceptions expected. */
export type HeuristicFn = (ctx: PacketContext, off: number, end: number) => boolean;

export interface ProtocolModule {
  /** filter name ("tcp", "http"); also what FieldSource.hasProtocol() answers for */
  name: string;
  /** Protocol column text ("TCP"); a module may override per packet with ctx.setProtocolColumn */
  column: string;
  /** tree title ("Transmission Control Protocol") */
  title: string;
  fields: FieldDef[];
  experts?: ExpertDef[];
  dissect: DissectFn;
  heuristic?: HeuristicFn;
  /** called once when added: put yourself into tables / heuristic lists */
  register?(r: Registry): void;
  /** set by Registry.add (the protocol id, for speed); do not set it yourself */
  id?: number;
}

/** A number-keyed table of dissectors (Wireshark's dissector table). */
export class DissectorTable {
  private readonly map = new Map<number, ProtocolModule>();
  constructor(readonly name: string) {}
  add(key: number, m: ProtocolModule): void {
    this.map.set(key, m);
  }
  get(key: number): ProtocolModule | undefined {
    return this.map.get(key);
  }
  entries(): IterableIterator<[number, ProtocolModule]> {
    return this.map.entries();
  }
}

/** An ordered list of heuristic dissectors tried on payload no table claimed. */
export class HeuristicList {
  readonly list: ProtocolModule[] = [];
  constructor(readonly name: string) {}
  add(m: ProtocolModule): void {
    if (!m.heuristic) throw new Error(`heuristic list ${this.name}: module ${m.name} has no heuristic()`);
    if (!this.list.includes(m)) this.list.push(m);
  }
}

/** Bits available in FastInfo.protoMask: protocol ids 1..30 get one each. */
export const PROTO_MASK_BITS = 31;

export class Registry {
  /** index = protocol id; id 0 is reserved for "no protocol" */
  private readonly protos: (ProtocolModule | null)[] = [null];
  private readonly ids = new Map<ProtocolModule, number>();
  private readonly byName = new Map<string, ProtocolModule>();
  private readonly fieldDefs = new Map<string, FieldDef>();
  private readonly expertDefs = new Map<string, ExpertDef>();
  private readonly tables = new Map<string, DissectorTable>();
  private readonly heurs = new Map<string, HeuristicList>();

  /** Adds a module (declares its fields/experts, calls its register()). Returns its id. */
  add(m: ProtocolModule): number {
    const known = this.ids.get(m);
    if (known !== undefined) return known;
    if (this.byName.has(m.name)) throw new Error(`protocol ${m.name} registered twice`);
    const id = this.protos.length;
    this.protos.push(m);
    this.ids.set(m, id);
    // module objects are shared: the first registry to add one stamps its id on it (the fast
    // path reads m.id); a registry whose ids differ from the stamps looks ids up instead
    if (m.id === undefined) m.id = id;
    else if (m.id !== id) this.stampedIds = false;
    this.byName.set(m.name, m);
    this.fieldDefs.set(m.name, { name: m.name, label: m.title, type: 'protocol' });
    for (const f of m.fields) {
      if (this.fieldDefs.has(f.name) && this.fieldDefs.get(f.name)!.type !== f.type) {
        throw new Error(`field ${f.name} declared twice with different types`);
      }
      this.fieldDefs.set(f.name, f);
    }
    for (const e of m.experts ?? []) this.expertDefs.set(e.id, e);
    m.register?.(this);
    return id;
  }

  /** Whether every module's `id` property is its id in this registry. */
  stampedIds = true;

  /** Protocol id (1..n) of a registered module; 0 when unknown. */
  id(m: ProtocolModule): number {
    return this.ids.get(m) ?? 0;
  }
  byId(id: number): ProtocolModule | undefined {
    return this.protos[id] ?? undefined;
  }
  protocol(name: string): ProtocolModule | undefined {
    return this.byName.get(name);
  }
  protocolId(name: string): number {
    const m = this.byName.get(name);
    return m ? this.id(m) : 0;
  }
  protocols(): ProtocolModule[] {
    return this.protos.filter((p): p is ProtocolModule => p !== null);
  }

  /** A declared field (or protocol name, type 'protocol'); undefined if no module declares it. */
  field(name: string): FieldDef | undefined {
    return this.fieldDefs.get(name);
  }
  fields(): IterableIterator<FieldDef> {
    return this.fieldDefs.values();
  }
  expert(id: string): ExpertDef | undefined {
    return this.expertDefs.get(id);
  }

  /** The named dissector table, created on first use. */
  table(name: string): DissectorTable {
    let t = this.tables.get(name);
    if (!t) this.tables.set(name, (t = new DissectorTable(name)));
    return t;
  }
  /** The named heuristic list, created on first use. */
  heuristics(name: string): HeuristicList {
    let h = this.heurs.get(name);
    if (!h) this.heurs.set(name, (h = new HeuristicList(name)));
    return h;
  }
}
