/** `rulec compile` loads only the targets it compiles for; the others stay descriptors. */
import { describe, expect, it } from 'vitest';
import { TARGETS } from '../../backends/targets.js';
import type { TargetDescriptor } from '../../src/backend/types.js';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';

const SEED = 'rules/m365/o365_mailbox_audit_logging_bypass.yml';

function sink(): CliIo & { out: string; err: string } {
  const s = {
    out: '',
    err: '',
    isTty: false,
    stdout(text: string) {
      s.out += text;
    },
    stderr(text: string) {
      s.err += text;
    },
  };
  return s;
}

/** The registry, recording which targets were loaded. */
function recording(): { registry: TargetDescriptor[]; loaded: string[] } {
  const loaded: string[] = [];
  const registry = TARGETS.map((t) => ({
    ...t,
    load: () => {
      loaded.push(t.id);
      return t.load();
    },
  }));
  return { registry, loaded };
}

describe('lazy targets', () => {
  it('compile -t elastic (named by an alias) loads the elastic backend alone', async () => {
    const { registry, loaded } = recording();
    const io = sink();
    expect(await runCli(['compile', '-t', 'kibana', SEED], registry, io)).toBe(0);
    expect(io.out).toContain('event.action:Set-MailboxAuditBypassAssociation');
    expect(loaded).toEqual(['elastic']);
  });

  it('lists every target without loading any of them for an unknown target', async () => {
    const { registry, loaded } = recording();
    const io = sink();
    expect(await runCli(['compile', '-t', 'kibanna', SEED], registry, io)).toBe(2);
    expect(io.err).toContain("did you mean 'kibana'");
    expect(loaded).toEqual([]);
  });

  it('targets loads every target', async () => {
    const { registry, loaded } = recording();
    const io = sink();
    expect(await runCli(['targets'], registry, io)).toBe(0);
    expect([...loaded].sort()).toEqual(TARGETS.map((t) => t.id).sort());
  });
});
