import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { deletedMessage, message, reply, smimeResult } from '../test/fixtures';
import { seriousViolations } from '../test/axe';

const backend = vi.hoisted(() => ({
  getMessage: vi.fn(),
  messageTasks: vi.fn(),
  messageAudit: vi.fn(),
  messageSmime: vi.fn(),
  openReply: vi.fn(),
  checkReply: vi.fn(),
}));
vi.mock('../lib/ipc/client', () => ({ backend }));

import MessageView from './MessageView.svelte';

describe('MessageView', () => {
  beforeEach(() => {
    backend.getMessage.mockReset();
    backend.messageTasks.mockResolvedValue([]);
    backend.messageAudit.mockResolvedValue([]);
    backend.messageSmime.mockResolvedValue(null);
  });

  it('shows the headers and body of a message', async () => {
    backend.getMessage.mockResolvedValue(message(1));
    render(MessageView, { messageId: 1, tab: 'message', refresh: 0, onchanged: () => {} });

    expect(await screen.findByRole('heading', { level: 1 })).toHaveTextContent('STN 125742/0 amendment');
    expect(screen.getByText('Please find the amendment attached.')).toBeInTheDocument();
    expect(screen.getByText('Received').nextElementSibling).toHaveTextContent(
      'Tue 2025-03-11 10:00 EDT (-04:00) (from the received header)',
    );
    expect(screen.getByRole('tab', { name: 'Decision' })).toBeInTheDocument();
    expect(screen.queryByTestId('deleted-notice')).not.toBeInTheDocument();
  });

  it('opens the draft editor beside the message', async () => {
    backend.getMessage.mockResolvedValue(message(1));
    backend.openReply.mockResolvedValue(reply(1));
    render(MessageView, { messageId: 1, tab: 'message', refresh: 0, onchanged: () => {} });
    const draftButton = await screen.findByRole('button', { name: 'Draft reply' });
    expect(draftButton).toHaveAttribute('aria-expanded', 'false');

    await userEvent.click(draftButton);

    expect(await screen.findByRole('complementary', { name: 'Draft reply' })).toBeInTheDocument();
    expect(draftButton).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('STN 125742/0 amendment');
    expect(screen.getByText('Please find the amendment attached.')).toBeVisible();
    expect(backend.openReply).toHaveBeenCalledWith(1, null);
  });

  it('closes the draft editor and returns focus', async () => {
    backend.getMessage.mockResolvedValue(message(1));
    backend.openReply.mockResolvedValue(reply(1));
    render(MessageView, { messageId: 1, tab: 'message', refresh: 0, onchanged: () => {} });
    await userEvent.click(await screen.findByRole('button', { name: 'Draft reply' }));

    await userEvent.click(await screen.findByRole('button', { name: 'Close draft' }));

    expect(screen.queryByRole('complementary', { name: 'Draft reply' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Draft reply' })).toHaveFocus();
  });

  it('has no serious accessibility violations while drafting', async () => {
    backend.getMessage.mockResolvedValue(message(1));
    backend.openReply.mockResolvedValue(reply(1));
    const { container } = render(MessageView, { messageId: 1, tab: 'message', refresh: 0, onchanged: () => {} });
    await userEvent.click(await screen.findByRole('button', { name: 'Draft reply' }));
    await screen.findByLabelText('To');

    expect(await seriousViolations(container)).toEqual([]);
  });

  it('shows who deleted a message and no content', async () => {
    backend.getMessage.mockResolvedValue(deletedMessage(9));
    render(MessageView, { messageId: 9, tab: 'message', refresh: 0, onchanged: () => {} });

    expect(await screen.findByRole('heading', { level: 1 })).toHaveTextContent('Message 9 (content deleted)');
    expect(screen.getByTestId('deleted-notice')).toHaveTextContent(
      'Deleted on Wed 2025-03-05 12:00 EST (-05:00) by dana.whitfield@fda.hhs.gov under SOPP 8119 V.B.2.a.iii (task 12).',
    );
    expect(screen.queryByText('From')).not.toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Body' })).not.toBeInTheDocument();
    expect(screen.queryByRole('tab', { name: 'Decision' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Draft reply' })).not.toBeInTheDocument();
  });

  it('opens the audit trail of a deleted message', async () => {
    backend.getMessage.mockResolvedValue(deletedMessage(9));
    backend.messageAudit.mockResolvedValue([
      {
        seq: 40,
        at: '2025-03-05T17:00:00Z',
        user: 'dana.whitfield@fda.hhs.gov',
        action: 'message-deleted',
        taskId: 12,
        section: 'V.B.2.a.iii',
        detail: '{"attachments":1}',
      },
    ]);
    render(MessageView, { messageId: 9, tab: 'message', refresh: 0, onchanged: () => {} });

    await userEvent.click(await screen.findByRole('tab', { name: 'Tasks and audit' }));

    expect(await screen.findByText('message-deleted')).toBeInTheDocument();
    expect(backend.messageTasks).toHaveBeenCalledWith(9);
  });

  it('leaves the decision tab of a deleted message', async () => {
    backend.getMessage.mockResolvedValue(deletedMessage(9));
    render(MessageView, { messageId: 9, tab: 'decision', refresh: 0, onchanged: () => {} });

    expect(await screen.findByTestId('deleted-notice')).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Message' })).toHaveAttribute('aria-selected', 'true');
  });

  it('has no serious accessibility violations when deleted', async () => {
    backend.getMessage.mockResolvedValue(deletedMessage(9));
    const { container } = render(MessageView, { messageId: 9, tab: 'message', refresh: 0, onchanged: () => {} });
    await screen.findByTestId('deleted-notice');

    expect(await seriousViolations(container)).toEqual([]);
  });

  it('shows the S/MIME badge and the decrypted content', async () => {
    backend.getMessage.mockResolvedValue(message(3, { bodyText: '' }));
    backend.messageSmime.mockResolvedValue(
      smimeResult({
        verdict: 'encrypted-only',
        signed: false,
        signers: [],
        encrypted: true,
        decrypted: true,
        inner: { kind: 'decrypted', bodyText: 'Confidential response for IND 100001.', html: null, attachments: [] },
      }),
    );
    const { container } = render(MessageView, { messageId: 3, tab: 'message', refresh: 0, onchanged: () => {} });

    expect(await screen.findByTestId('smime-badge')).toHaveTextContent('Decrypted');
    expect(screen.getByRole('heading', { name: 'Decrypted content' })).toBeInTheDocument();
    expect(screen.getByText('Confidential response for IND 100001.')).toBeInTheDocument();
    expect(backend.messageSmime).toHaveBeenCalledWith(3);
    expect(await seriousViolations(container)).toEqual([]);
  });

  it('shows no badge for a message without S/MIME', async () => {
    backend.getMessage.mockResolvedValue(message(1));
    render(MessageView, { messageId: 1, tab: 'message', refresh: 0, onchanged: () => {} });

    await screen.findByText('Please find the amendment attached.');
    expect(screen.queryByTestId('smime-badge')).not.toBeInTheDocument();
  });
});
