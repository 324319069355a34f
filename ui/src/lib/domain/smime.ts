// Words for S/MIME results, free of the DOM and the backend. Every state has a text label
// and a symbol, so the badge never relies on colour alone.
import type { RevocationDto, SmimeDto } from '../ipc/client';

/** The look of a badge: its colour family. The label and symbol carry the meaning. */
export type Tone = 'good' | 'info' | 'warn' | 'bad';

/** One badge: a symbol shown beside the text, the text, and its tone. */
export interface Badge {
  symbol: string;
  label: string;
  tone: Tone;
}

/** Returns the badges of `smime`: the verdict first, then "Decrypted" and "Weak algorithm". */
export function smimeBadges(smime: SmimeDto): Badge[] {
  const badges = [verdictBadge(smime)];
  const decryptedShown = smime.verdict === 'encrypted-only';
  if (smime.encrypted && smime.decrypted && !decryptedShown) {
    badges.push({ symbol: '🔓', label: 'Decrypted', tone: 'info' });
  }
  if (smime.weakAlgorithm) {
    badges.push({ symbol: '⚠', label: 'Weak algorithm', tone: 'warn' });
  }
  return badges;
}

function verdictBadge(smime: SmimeDto): Badge {
  switch (smime.verdict) {
    case 'verified':
      return { symbol: '✓', label: 'Signature verified', tone: 'good' };
    case 'address-mismatch':
      return { symbol: '!', label: 'Signed, but not by the sender address', tone: 'warn' };
    case 'untrusted':
      return { symbol: '?', label: 'Signed but not trusted', tone: 'warn' };
    case 'broken':
      return { symbol: '✗', label: 'Signature broken', tone: 'bad' };
    case 'unreadable': {
      const noKey = smime.reasons.some((r) => r.code === 'no-matching-recipient');
      const damaged = smime.reasons.some((r) => r.code === 'malformed');
      let label = 'Encrypted and unreadable';
      if (noKey) label = 'Encrypted and unreadable (no key fits)';
      else if (damaged) label = 'Encrypted and unreadable (damaged)';
      return { symbol: '✗', label, tone: 'bad' };
    }
    case 'encrypted-only':
      return { symbol: '🔓', label: 'Decrypted', tone: 'info' };
    case 'not-smime':
      return { symbol: '–', label: 'Not signed or encrypted', tone: 'info' };
  }
}

/** Returns one sentence on what the verdict of `smime` means for the reviewer. */
export function verdictSummary(smime: SmimeDto): string {
  switch (smime.verdict) {
    case 'verified':
      return "Every signature is intact, and each signer's certificate is trusted and names the From address.";
    case 'address-mismatch':
      return "The signature is intact and trusted, but the signer's certificate does not name the From address.";
    case 'untrusted':
      return "The signature is intact, but a signer's certificate is not trusted. The reasons below say why.";
    case 'broken':
      return 'The message was changed after signing, or its signature is malformed. Do not rely on it.';
    case 'unreadable':
      if (smime.reasons.some((r) => r.code === 'malformed')) {
        return 'The encrypted message is damaged, so no key can open it and it is unreadable for triage (SOPP 8119 VII.A.1).';
      }
      return 'No unlocked key opens this message, so it is unreadable for triage (SOPP 8119 VII.A.1).';
    case 'encrypted-only':
      return 'The message was encrypted to you and is decrypted with your key. It is not signed.';
    case 'not-smime':
      return 'The message has no S/MIME signature or encryption.';
  }
}

/** Returns "Yes" or "No". */
export function yesNo(value: boolean): string {
  return value ? 'Yes' : 'No';
}

/** Returns the revocation state in words; "not checked" never reads as good. */
export function revocationText(revocation: RevocationDto): string {
  switch (revocation.state) {
    case 'good':
      return `Not revoked (checked against the CRL of ${revocation.crlIssuer})`;
    case 'revoked': {
      const when = revocation.at ? ` on ${revocation.at}` : '';
      const why = revocation.reason ? ` (${revocation.reason})` : '';
      return `Revoked${when}${why}`;
    }
    case 'not-checked':
      return `Not checked: ${revocation.why}`;
  }
}
