import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { KeysDto, StoredKeyDto, TrustEntryDto } from '../lib/ipc/client';
import { seriousViolations } from '../test/axe';

const backend = vi.hoisted(() => ({
  listKeys: vi.fn(),
  listTrust: vi.fn(),
  importKey: vi.fn(),
  unlockKeys: vi.fn(),
  lockKeys: vi.fn(),
  addTrust: vi.fn(),
  removeTrust: vi.fn(),
  recheckSmime: vi.fn(),
  chooseKeyFile: vi.fn(),
  chooseCertificateFile: vi.fn(),
  chooseTrustFile: vi.fn(),
}));
vi.mock('../lib/ipc/client', () => ({ backend }));

import SmimeSettings from './SmimeSettings.svelte';

const bob: StoredKeyDto = {
  id: 1,
  subject: 'CN=Bob Example, emailAddress=bob@example.com',
  addresses: ['bob@example.com'],
  notAfter: '2046-11-29T19:11:56Z',
  fingerprint: 'ab'.repeat(32),
};

const root: TrustEntryDto = {
  kind: 'anchor',
  fingerprint: 'cd'.repeat(32),
  subject: 'CN=Example Test Root CA, O=Example Test PKI',
  addedAt: '2026-12-04T20:00:00Z',
};

function keys(unlocked: number, stored: StoredKeyDto[] = [bob]): KeysDto {
  return { keys: stored, unlocked };
}

describe('SmimeSettings', () => {
  beforeEach(() => {
    for (const fn of Object.values(backend)) fn.mockReset();
    backend.listKeys.mockResolvedValue(keys(0));
    backend.listTrust.mockResolvedValue([root]);
  });

  it('lists the stored keys with subject, addresses and expiry', async () => {
    render(SmimeSettings);

    const row = (await screen.findByText(bob.subject)).closest('tr') as HTMLElement;
    expect(row).toHaveTextContent('bob@example.com');
    expect(row).toHaveTextContent('2046-11-29T19:11:56Z');
    expect(screen.getByTestId('keys-state')).toHaveTextContent('Locked.');
  });

  it('imports a chosen key file and clears the passphrases', async () => {
    backend.chooseKeyFile.mockResolvedValue('/home/dana/me.p12');
    backend.importKey.mockResolvedValue([bob]);
    render(SmimeSettings);
    await screen.findByText(bob.subject);

    await userEvent.click(screen.getByRole('button', { name: 'Choose key file…' }));
    await userEvent.type(screen.getByLabelText('Passphrase of the key file'), 'file-pass');
    await userEvent.type(screen.getByLabelText('Passphrase to store the key with'), 'store-pass');
    await userEvent.click(screen.getByRole('button', { name: 'Import key' }));

    await waitFor(() => expect(backend.importKey).toHaveBeenCalledTimes(1));
    expect(backend.importKey).toHaveBeenCalledWith({
      path: '/home/dana/me.p12',
      certPath: null,
      filePassphrase: 'file-pass',
      storePassphrase: 'store-pass',
    });
    expect(await screen.findByRole('status')).toHaveTextContent(`Stored the key of ${bob.subject}, sealed.`);
    expect(screen.getByLabelText('Passphrase of the key file')).toHaveValue('');
    expect(screen.getByLabelText('Passphrase to store the key with')).toHaveValue('');
  });

  it('unlocks the keys and offers to lock them', async () => {
    backend.unlockKeys.mockResolvedValue({ unlocked: 1, stored: 1 });
    render(SmimeSettings);
    await screen.findByText(bob.subject);
    backend.listKeys.mockResolvedValue(keys(1));

    await userEvent.type(screen.getByLabelText('Passphrase of the stored keys'), 'store-pass');
    await userEvent.click(screen.getByRole('button', { name: 'Unlock keys' }));

    await waitFor(() => expect(backend.unlockKeys).toHaveBeenCalledWith('store-pass'));
    expect(await screen.findByRole('status')).toHaveTextContent('Unlocked 1 of 1 stored keys for this session.');
    expect(screen.getByLabelText('Passphrase of the stored keys')).toHaveValue('');
    expect(await screen.findByTestId('keys-state')).toHaveTextContent('1 key unlocked for this session.');
    expect(screen.getByRole('button', { name: 'Lock keys' })).toBeInTheDocument();
  });

  it('shows why an unlock failed', async () => {
    backend.unlockKeys.mockRejectedValue(new Error('the passphrase unlocks none of the 1 stored keys; check it and try again'));
    render(SmimeSettings);
    await screen.findByText(bob.subject);

    await userEvent.type(screen.getByLabelText('Passphrase of the stored keys'), 'wrong');
    await userEvent.click(screen.getByRole('button', { name: 'Unlock keys' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('the passphrase unlocks none of the 1 stored keys');
    expect(screen.queryByRole('button', { name: 'Lock keys' })).not.toBeInTheDocument();
  });

  it('locks unlocked keys', async () => {
    backend.listKeys.mockResolvedValue(keys(1));
    backend.lockKeys.mockResolvedValue(null);
    render(SmimeSettings);

    const lock = await screen.findByRole('button', { name: 'Lock keys' });
    backend.listKeys.mockResolvedValue(keys(0));
    await userEvent.click(lock);

    await waitFor(() => expect(backend.lockKeys).toHaveBeenCalledTimes(1));
    expect(await screen.findByRole('status')).toHaveTextContent('Keys locked.');
    expect(screen.getByTestId('keys-state')).toHaveTextContent('Locked.');
  });

  it('adds and removes trust anchors', async () => {
    backend.chooseTrustFile.mockResolvedValue('/home/dana/root.pem');
    backend.addTrust.mockResolvedValue({ certificates: 1, crls: 0, added: 1 });
    backend.removeTrust.mockResolvedValue(null);
    render(SmimeSettings);
    await screen.findByText(root.subject);

    await userEvent.click(screen.getByRole('button', { name: 'Add trust anchor or CRL…' }));
    await waitFor(() => expect(backend.addTrust).toHaveBeenCalledWith('/home/dana/root.pem'));
    expect(await screen.findByRole('status')).toHaveTextContent('Re-check to apply them');

    await userEvent.click(screen.getByRole('button', { name: `Remove ${root.subject}` }));
    await waitFor(() => expect(backend.removeTrust).toHaveBeenCalledWith(root.fingerprint));
  });

  it('re-checks the stored messages and reports the result', async () => {
    backend.recheckSmime.mockResolvedValue({
      checked: 3,
      changed: [{ id: 2, before: 'unreadable', after: 'encrypted-only' }],
      nowReadable: [2],
      retriaged: [2],
      kept: [],
    });
    render(SmimeSettings);
    await screen.findByText(bob.subject);

    await userEvent.click(screen.getByRole('button', { name: 'Re-check S/MIME messages' }));

    expect(await screen.findByText(/^Re-checked 3 S\/MIME messages/)).toHaveTextContent(
      'Re-checked 3 S/MIME messages: 1 changed, 1 now readable, 1 decisions made again.',
    );
  });

  it('has no serious accessibility violations', async () => {
    backend.listKeys.mockResolvedValue(keys(1));
    const { container } = render(SmimeSettings);
    await screen.findByRole('button', { name: 'Lock keys' });

    expect(await seriousViolations(container)).toEqual([]);
  });
});
