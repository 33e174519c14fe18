import * as fs from 'fs';
import * as tls from 'tls';

/** Redis Cluster's hash slots. */
export const SLOT_COUNT = 16384;

/** CRC16-CCITT (XMODEM: polynomial 0x1021, initial 0), which Redis Cluster hashes keys with (cluster.c keyHashSlot). */
export function crc16(text: string): number {
  let crc = 0;
  for (const byte of Buffer.from(text)) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc;
}

/** The slot of `key`: of its hash tag (the text between the first `{` and the next `}`) when it has a non-empty one. */
export function slotOf(key: string): number {
  const open = key.indexOf('{');
  const close = open >= 0 ? key.indexOf('}', open + 1) : -1;
  return crc16(close > open + 1 ? key.slice(open + 1, close) : key) % SLOT_COUNT;
}

/** One key per slot, `<prefix>{<tag>}`, found by trying tags 0, 1, 2, ...: index = slot. */
export function keyForEverySlot(prefix: string): string[] {
  const keys: string[] = new Array(SLOT_COUNT);
  let found = 0;
  for (let tag = 0; found < SLOT_COUNT; tag++) {
    const key = `${prefix}{${tag}}`;
    const slot = slotOf(key);
    if (keys[slot] === undefined) {
      keys[slot] = key;
      found++;
    }
  }
  return keys;
}

/** A reply: a status (`+OK`), an error (`-MOVED ...`), an integer, a bulk string, or nil. */
export interface RespReply {
  readonly type: 'status' | 'error' | 'integer' | 'bulk' | 'nil';
  readonly value: string;
}

function encode(command: readonly string[]): Buffer {
  const parts = command.map((arg) => Buffer.from(arg));
  return Buffer.concat([Buffer.from(`*${parts.length}\r\n`), ...parts.flatMap((part) => [Buffer.from(`$${part.length}\r\n`), part, Buffer.from('\r\n')])]);
}

/** Parses the replies at the start of `buffer`; returns them and how many bytes they took. Arrays are not needed here. */
function parseReplies(buffer: Buffer): { replies: RespReply[]; consumed: number } {
  const replies: RespReply[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', offset);
    if (lineEnd < 0) {
      break;
    }
    const prefix = String.fromCharCode(buffer[offset]);
    const line = buffer.toString('utf8', offset + 1, lineEnd);
    if (prefix === '$') {
      const length = Number(line);
      if (length < 0) {
        replies.push({ type: 'nil', value: '' });
        offset = lineEnd + 2;
        continue;
      }
      if (buffer.length < lineEnd + 2 + length + 2) {
        break;
      }
      replies.push({ type: 'bulk', value: buffer.toString('utf8', lineEnd + 2, lineEnd + 2 + length) });
      offset = lineEnd + 2 + length + 2;
      continue;
    }
    const type = ({ '+': 'status', '-': 'error', ':': 'integer' } as const)[prefix as '+' | '-' | ':'];
    if (type === undefined) {
      throw new Error(`unexpected reply type ${JSON.stringify(prefix)} in ${JSON.stringify(buffer.toString('utf8', offset, lineEnd))}`);
    }
    replies.push({ type, value: line });
    offset = lineEnd + 2;
  }
  return { replies, consumed: offset };
}

export interface NodeLogin {
  readonly port: number;
  readonly caFile: string;
  readonly user: string;
  readonly password: string;
}

/**
 * Sends `commands` to one node on 127.0.0.1 over TLS in one pipeline, logged in as `user`, and
 * resolves with their replies (the AUTH reply first), as a cluster client sends a batch to the
 * node that serves its slots. Rejects on a connection error or after `timeoutMs`.
 */
export function pipeline(login: NodeLogin, commands: readonly (readonly string[])[], timeoutMs = 15000): Promise<RespReply[]> {
  return new Promise((resolve, reject) => {
    const expected = commands.length + 1;
    const replies: RespReply[] = [];
    let pending = Buffer.alloc(0);
    const socket = tls.connect({ host: '127.0.0.1', port: login.port, ca: fs.readFileSync(login.caFile) }, () => {
      socket.write(Buffer.concat([encode(['AUTH', login.user, login.password]), ...commands.map(encode)]));
    });
    const timer = setTimeout(() => socket.destroy(new Error(`${replies.length} of ${expected} replies from ${login.port} after ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      const parsed = parseReplies(pending);
      replies.push(...parsed.replies);
      pending = pending.subarray(parsed.consumed);
      if (replies.length >= expected) {
        clearTimeout(timer);
        socket.end();
        resolve(replies);
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** The port serving each slot as primary, from one node's CLUSTER NODES (nodes on 127.0.0.1; failed primaries left out). */
export function slotOwners(clusterNodes: string): Map<number, number> {
  const owners = new Map<number, number>();
  for (const line of clusterNodes.trim().split('\n')) {
    const [, address, flags, , , , , , ...ranges] = line.split(' ');
    if (!flags.split(',').includes('master') || /fail/.test(flags)) {
      continue;
    }
    const port = Number(address.split('@')[0].split(':')[1]);
    for (const range of ranges.filter((entry) => !entry.startsWith('['))) {
      const [from, to = from] = range.split('-').map(Number);
      for (let slot = from; slot <= to; slot++) {
        owners.set(slot, port);
      }
    }
  }
  return owners;
}

/**
 * Runs `commandOf(slot)` for every slot on the node that serves it as primary (per `owners`), one
 * pipeline per node, and resolves with each slot's reply, by slot. A slot without an owner gets
 * the error reply `no primary`.
 */
export async function everySlot(
  owners: ReadonlyMap<number, number>,
  loginAt: (port: number) => NodeLogin,
  commandOf: (slot: number) => readonly string[],
): Promise<RespReply[]> {
  const replies: RespReply[] = Array.from({ length: SLOT_COUNT }, () => ({ type: 'error', value: 'no primary' }));
  const slotsByPort = new Map<number, number[]>();
  for (const [slot, port] of owners) {
    slotsByPort.set(port, [...(slotsByPort.get(port) ?? []), slot]);
  }
  await Promise.all([...slotsByPort].map(async ([port, slots]) => {
    const [auth, ...answers] = await pipeline(loginAt(port), slots.map(commandOf));
    if (auth.type !== 'status') {
      throw new Error(`AUTH at ${port}: ${auth.value}`);
    }
    slots.forEach((slot, index) => (replies[slot] = answers[index]));
  }));
  return replies;
}
