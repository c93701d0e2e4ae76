import { test } from 'node:test';
import assert from 'node:assert/strict';
import { macWithResolution } from '../../../src-main/core/dissect/oui.js';

test('MAC vendor names read as in Wireshark: VMware_8d:76:9d, and a zeroed loopback MAC as 00:00:00_00:00:00', () => {
  assert.equal(
    macWithResolution(Uint8Array.from([0x00, 0x50, 0x56, 0x8d, 0x76, 0x9d]), 0),
    'VMware_8d:76:9d (00:50:56:8d:76:9d)',
  );
  assert.equal(macWithResolution(new Uint8Array(6), 0), '00:00:00_00:00:00 (00:00:00:00:00:00)');
  assert.equal(
    macWithResolution(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 0),
    'Broadcast (ff:ff:ff:ff:ff:ff)',
  );
});
