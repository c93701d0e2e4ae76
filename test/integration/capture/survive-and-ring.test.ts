// The capture file survives a kill -9 of the capturing process (readable up to the last flush),
// the capture helper does not outlive it, and the ring buffer keeps exactly the last N files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT, cliNodeArgs } from '../../helpers/cli.js';
import { startCapture, type BackendName } from '../../../src-main/core/capture/index.js';
import { readCaptureFileSync } from '../../../src-main/core/pcap/file-reader.js';
import {
  skipUnlessRootLinux,
  tshark,
  tsharkCount,
  waitFor,
  presentBackends,
  udpSender,
  udpFirstWord,
} from './helpers.js';

const skip = skipUnlessRootLinux();

/** packets in a capture file, or -1 while it is not readable yet */
function countPackets(file: string): number {
  try {
    return readCaptureFileSync(file, () => undefined).packets;
  } catch {
    return -1;
  }
}

function childPids(pid: number): number[] {
  const r = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => n > 0);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

for (const backend of ['cap', 'tcpdump'] as BackendName[]) {
  const why = skip || (!presentBackends.has(backend) && `${backend} is not installed`);
  test(
    `kill -9 of a capture (${backend}) leaves a file readable up to the last flush`,
    { skip: why, timeout: 60000 },
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), `proxyscope-kill-${backend}-`));
      const file = path.join(dir, 'killed.pcapng');
      const udp = await udpSender();
      const child = spawn(
        process.execPath,
        cliNodeArgs(['capture', '-i', 'lo', '-b', backend, '-f', `udp port ${udp.port}`, '-w', file, '-q']),
        {
          cwd: REPO_ROOT,
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      let helpers: number[] = [];
      try {
        await waitFor(
          () => stderr.includes('Capturing on') || child.exitCode !== null,
          20000,
          'the capture to start',
        );
        assert.equal(child.exitCode, null, stderr);
        helpers = childPids(child.pid!);
        await udp.send(50);
        // flushed within 500 ms of arriving: the file shows them without the process stopping
        await waitFor(() => countPackets(file) === 50, 5000, '50 packets on disk');
        await udp.send(20, 100, 50);
        child.kill('SIGKILL');
        await new Promise((r) => child.once('close', r));

        const n = countPackets(file);
        assert.ok(n >= 50 && n <= 70, `file readable after kill -9 with 50..70 packets (got ${n})`);
        const seq: number[] = [];
        readCaptureFileSync(file, (p) => seq.push(udpFirstWord(p.data)));
        assert.deepEqual(
          seq,
          Array.from({ length: n }, (_, i) => i),
          'the packets in order, none missing',
        );
        if (tshark) assert.equal(tsharkCount(file), n);

        // the helper (cap) goes when its parent does; tcpdump is stopped by its watchdog, without
        // waiting for a packet to make its next write fail
        await waitFor(() => helpers.every((p) => !alive(p)), 5000, 'the capture child to exit');
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        for (const p of helpers) if (alive(p)) process.kill(p, 'SIGKILL');
        udp.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
}

test(
  'ring buffer keeps the last N files, each a readable pcapng, the newest holding the last packet',
  { skip, timeout: 60000 },
  async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'proxyscope-ring-'));
    const udp = await udpSender();
    const base = path.join(dir, 'ring.pcapng');
    // each batch names the ring file its packets' dataOffsets refer to, already on disk
    let mismatches = 0;
    let checked = 0;
    const session = await startCapture({
      interface: 'lo',
      filter: `udp port ${udp.port}`,
      writePath: base,
      ring: { files: 3, fileBytes: 10000 },
      onBatch: () => undefined,
    });
    let gone = 0;
    session.onBatch((packets, info) => {
      // with files this small one batch can span more rotations than the ring keeps
      if (!existsSync(info.file!)) {
        gone += packets.length;
        return;
      }
      const fd = openSync(info.file!, 'r');
      try {
        for (const p of packets) {
          const back = Buffer.alloc(p.capturedLength);
          readSync(fd, back, 0, back.length, p.dataOffset);
          checked++;
          if (!back.equals(p.data) || info.fileBytes < p.dataOffset + p.capturedLength) mismatches++;
        }
      } finally {
        closeSync(fd);
      }
    });
    try {
      await udp.send(120, 1000);
      await waitFor(() => session.stats().delivered >= 120, 10000, '120 packets');
      const stats = await session.stop();
      assert.equal(checked + gone, stats.delivered);
      assert.ok(checked > 0);
      assert.equal(mismatches, 0, 'every batch was readable in the file it named');
      const onDisk = readdirSync(dir)
        .filter((f) => f.endsWith('.pcapng'))
        .sort();
      assert.equal(onDisk.length, 3);
      assert.deepEqual(
        stats.files.map((f) => path.basename(f)),
        onDisk,
      );
      const seqs = onDisk.map((f) => Number(/^ring_(\d{5})_\d{14}\.pcapng$/.exec(f)![1]));
      assert.ok(seqs[0]! > 3, `older files were deleted (kept ${seqs.join(',')})`);
      assert.deepEqual(seqs, [seqs[0]!, seqs[0]! + 1, seqs[0]! + 2]);
      const last: number[] = [];
      for (const f of onDisk) {
        const full = path.join(dir, f);
        const n = readCaptureFileSync(full, (p) => last.push(udpFirstWord(p.data))).packets;
        assert.ok(n > 0);
        if (tshark) assert.equal(tsharkCount(full), n);
      }
      // the kept packets are the newest ones, consecutive, ending with the last one sent
      assert.equal(last.at(-1), 119);
      assert.deepEqual(
        last,
        Array.from({ length: last.length }, (_, i) => 120 - last.length + i),
      );
      assert.ok(existsSync(path.join(dir, onDisk[2]!)));
    } finally {
      await session.stop();
      udp.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'size and duration limits stop the capture and say why; Ctrl-C in the CLI finishes the file',
  { skip, timeout: 60000 },
  async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'proxyscope-limits-'));
    const udp = await udpSender();
    try {
      const file = path.join(dir, 'size.pcapng');
      const bySize = await startCapture({
        interface: 'lo',
        filter: `udp port ${udp.port}`,
        writePath: file,
        limits: { maxBytes: 20000 },
      });
      await udp.send(100, 1000);
      const s = await bySize.done;
      assert.equal(s.stopReason, 'size');
      assert.ok(
        s.bytesWritten >= 20000 && s.delivered < 100,
        `stopped soon after 20000 bytes (${s.bytesWritten} bytes, ${s.delivered} packets)`,
      );
      assert.equal(countPackets(file), s.delivered);

      const byTime = await startCapture({
        interface: 'lo',
        filter: `udp port ${udp.port}`,
        limits: { durationSec: 0.5 },
      });
      const t = await byTime.done;
      assert.equal(t.stopReason, 'duration');
      assert.equal(t.running, false);

      const cliFile = path.join(dir, 'cli.pcapng');
      const child = spawn(
        process.execPath,
        cliNodeArgs(['capture', '-i', 'lo', '-f', `udp port ${udp.port}`, '-w', cliFile]),
        {
          cwd: REPO_ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      try {
        await waitFor(() => err.includes('Capturing on'), 20000, 'the CLI capture to start');
        await udp.send(10);
        await waitFor(() => countPackets(cliFile) === 10, 5000, '10 packets on disk');
        child.kill('SIGINT');
        const code = await new Promise((r) => child.once('close', r));
        assert.equal(code, 0, err);
        assert.match(out, /^10 packets captured in .* \(stopped\)/m);
        assert.match(out, /dropped by kernel \d+, by interface \d+, by ProxyScope's queue 0/);
        assert.equal(countPackets(cliFile), 10);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    } finally {
      udp.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
