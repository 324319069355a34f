import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { SmimeDto } from '../lib/ipc/client';
import { signer, smimeResult } from '../test/fixtures';
import { seriousViolations } from '../test/axe';

import SmimeBadge from './SmimeBadge.svelte';
import SmimeContent from './SmimeContent.svelte';

const noKey = {
  code: 'no-matching-recipient',
  text: 'no unlocked key matches a recipient of the message',
  fix: 'import and unlock your key under Settings, S/MIME keys, then re-check',
};

interface Case {
  name: string;
  smime: SmimeDto;
  badges: string[];
  summary: string;
}

const cases: Case[] = [
  {
    name: 'verified',
    smime: smimeResult(),
    badges: ['✓ Signature verified'],
    summary: 'Every signature is intact',
  },
  {
    name: 'address mismatch',
    smime: smimeResult({ verdict: 'address-mismatch', signers: [signer({ addressMatchesFrom: false })] }),
    badges: ['! Signed, but not by the sender address'],
    summary: 'does not name the From address',
  },
  {
    name: 'untrusted',
    smime: smimeResult({ verdict: 'untrusted', signers: [signer({ trusted: false })] }),
    badges: ['? Signed but not trusted'],
    summary: "a signer's certificate is not trusted",
  },
  {
    name: 'broken',
    smime: smimeResult({ verdict: 'broken', signers: [signer({ intact: false, trusted: false })] }),
    badges: ['✗ Signature broken'],
    summary: 'Do not rely on it.',
  },
  {
    name: 'unreadable without a key',
    smime: smimeResult({ verdict: 'unreadable', signed: false, signers: [], encrypted: true, reasons: [noKey] }),
    badges: ['✗ Encrypted and unreadable (no key fits)'],
    summary: 'unreadable for triage (SOPP 8119 VII.A.1)',
  },
  {
    name: 'unreadable because damaged',
    smime: smimeResult({
      verdict: 'unreadable',
      signed: false,
      signers: [],
      encrypted: true,
      reasons: [
        {
          code: 'malformed',
          text: 'the CMS encoding is invalid: invalid BER at byte 22: length longer than 4 bytes',
          fix: 'ask the sender to send the message again; keep the original as received',
        },
      ],
    }),
    badges: ['✗ Encrypted and unreadable (damaged)'],
    summary: 'The encrypted message is damaged',
  },
  {
    name: 'decrypted',
    smime: smimeResult({ verdict: 'encrypted-only', signed: false, signers: [], encrypted: true, decrypted: true }),
    badges: ['🔓 Decrypted'],
    summary: 'decrypted with your key',
  },
  {
    name: 'decrypted and verified',
    smime: smimeResult({ encrypted: true, decrypted: true }),
    badges: ['✓ Signature verified', '🔓 Decrypted'],
    summary: 'Every signature is intact',
  },
  {
    name: 'weak algorithm',
    smime: smimeResult({
      weakAlgorithm: true,
      health: [{ code: 'sha1-signature', text: 'the signature uses SHA-1, which Appendix A no longer accepts' }],
    }),
    badges: ['✓ Signature verified', '⚠ Weak algorithm'],
    summary: 'Every signature is intact',
  },
];

describe('SmimeBadge', () => {
  it.each(cases)('shows the badge when $name', async ({ smime, badges, summary }) => {
    const { container } = render(SmimeBadge, { smime });

    const shown = [...screen.getByTestId('smime-badge').querySelectorAll('.smime-badge')].map((b) =>
      b.textContent?.trim(),
    );
    expect(shown).toEqual(badges);
    for (const symbol of screen.getByTestId('smime-badge').querySelectorAll('[aria-hidden="true"]')) {
      expect(symbol.textContent).not.toBe('');
    }
    expect(container.querySelector('.smime-summary')).toHaveTextContent(summary);
    expect(await seriousViolations(container)).toEqual([]);
  });

  it('shows each signer check separately', async () => {
    const smime = smimeResult({
      verdict: 'untrusted',
      signers: [
        signer({
          trusted: false,
          validNow: false,
          reasons: [{ code: 'untrusted-root', text: 'the chain ends at a root you have not added', fix: 'add its root under Settings' }],
        }),
      ],
    });
    render(SmimeBadge, { smime });
    await userEvent.click(screen.getByText('S/MIME details'));

    const facts = screen.getByRole('heading', { name: 'Signer alice@example.com' }).nextElementSibling as HTMLElement;
    const value = (term: string) => within(facts).getByText(term).nextElementSibling?.textContent;
    expect(value('Intact (content and signature match)')).toBe('Yes');
    expect(value('Trusted')).toBe('No');
    expect(value('Certificate valid at signing time')).toBe('Yes');
    expect(value('Certificate valid now')).toBe('No');
    expect(value('Revocation')).toMatch(/^Not checked: no CRL/);
    expect(screen.getByText(/the chain ends at a root you have not added/)).toHaveTextContent(
      'Fix: add its root under Settings',
    );
  });

  it('never shows unchecked revocation as good', () => {
    render(SmimeBadge, { smime: smimeResult() });

    expect(screen.getByText(/^Not checked:/)).toBeInTheDocument();
    expect(screen.queryByText(/Not revoked/)).not.toBeInTheDocument();
  });

  it('shows revoked and good revocation states', () => {
    const smime = smimeResult({
      signers: [
        signer({ revocation: { state: 'revoked', at: '2006-09-01T09:30:00Z', reason: 'keyCompromise' } }),
        signer({ address: 'dave@example.com', revocation: { state: 'good', crlIssuer: 'CN=Example CA' } }),
      ],
    });
    render(SmimeBadge, { smime });

    expect(screen.getByText('Revoked on 2006-09-01T09:30:00Z (keyCompromise)')).toBeInTheDocument();
    expect(screen.getByText('Not revoked (checked against the CRL of CN=Example CA)')).toBeInTheDocument();
  });

  it('lists the reasons and Appendix A findings', () => {
    const smime = smimeResult({
      verdict: 'unreadable',
      encrypted: true,
      encryptionAlgorithm: 'des-ede3-cbc',
      reasons: [noKey],
      weakAlgorithm: true,
      health: [{ code: 'weak-content-encryption', text: 'the content is encrypted with 3DES' }],
    });
    render(SmimeBadge, { smime });

    expect(screen.getByTestId('smime-encryption')).toHaveTextContent('Encrypted with des-ede3-cbc. Not decrypted.');
    expect(screen.getByText(/no unlocked key matches a recipient/)).toHaveTextContent('(no-matching-recipient)');
    expect(screen.getByText(/no unlocked key matches a recipient/)).toHaveTextContent('Fix: import and unlock your key');
    expect(screen.getByTestId('smime-health')).toHaveTextContent('the content is encrypted with 3DES');
  });
});

describe('SmimeContent', () => {
  it('marks decrypted content and shows its body', async () => {
    const { container } = render(SmimeContent, {
      inner: {
        kind: 'decrypted',
        bodyText: 'Confidential response for IND 100001.',
        html: null,
        attachments: [{ name: 'Confidential response.pdf', mimeType: 'application/pdf', size: 2048 }],
      },
    });

    expect(screen.getByRole('heading', { name: 'Decrypted content' })).toBeInTheDocument();
    expect(screen.getByText(/The message as received stays the\s+record/)).toBeInTheDocument();
    expect(screen.getByText('Confidential response for IND 100001.')).toBeInTheDocument();
    expect(screen.getByText(/Confidential response.pdf/)).toBeInTheDocument();
    expect(await seriousViolations(container)).toEqual([]);
  });

  it('shows sanitized HTML of signed content', () => {
    render(SmimeContent, {
      inner: {
        kind: 'signed',
        bodyText: 'Hello',
        html: { html: '<p>Hello <b>reviewer</b></p>', remoteImagesBlocked: 1, inlineImagesOmitted: 0, linksDisabled: 0 },
        attachments: [],
      },
    });

    expect(screen.getByRole('heading', { name: 'Content inside the signature' })).toBeInTheDocument();
    expect(screen.getByText('reviewer')).toBeInTheDocument();
    expect(screen.getByText(/1 remote image blocked/)).toBeInTheDocument();
  });
});
