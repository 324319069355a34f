import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DraftEditDto } from '../lib/ipc/client';
import { draftCheck, recordCopy, reply, rpmFinding, sponsorDomainFinding } from '../test/fixtures';
import { seriousViolations } from '../test/axe';

const backend = vi.hoisted(() => ({
  openReply: vi.fn(),
  checkReply: vi.fn(),
  exportReply: vi.fn(),
  chooseDraftPath: vi.fn(),
}));
vi.mock('../lib/ipc/client', () => ({ backend }));

import DraftEditor from './DraftEditor.svelte';

/** Checks like the core's rpm-cc rule: blocking while Cc lacks the RPM. */
function checkLikeCore(_id: number, _template: string, edit: DraftEditDto) {
  const findings = edit.cc.includes('marcus.ortega@fda.hhs.gov') ? [] : [rpmFinding()];
  return Promise.resolve(draftCheck(findings));
}

function renderEditor() {
  return render(DraftEditor, { messageId: 1, onclose: () => {}, checkDelayMs: 5 });
}

describe('DraftEditor', () => {
  beforeEach(() => {
    backend.openReply.mockReset();
    backend.checkReply.mockReset();
    backend.exportReply.mockReset();
    backend.chooseDraftPath.mockReset();
    backend.openReply.mockResolvedValue(reply(1));
    backend.checkReply.mockImplementation(checkLikeCore);
  });

  it('fills the fields from the suggested template', async () => {
    renderEditor();

    expect(await screen.findByLabelText('To')).toHaveValue('Priya Raman <priya.raman@acmebio.example>');
    expect(backend.openReply).toHaveBeenCalledWith(1, null);
    expect(screen.getByLabelText('Template')).toHaveValue('include-rpm');
    expect(screen.getByRole('option', { name: 'include-rpm (suggested)' })).toBeInTheDocument();
    expect(screen.getByLabelText('From')).toHaveValue('Dana Whitfield <dana.whitfield@fda.hhs.gov>');
    expect(screen.getByLabelText('From')).toHaveAttribute('readonly');
    expect(screen.getByLabelText('Cc')).toHaveValue('Marcus Ortega <marcus.ortega@fda.hhs.gov>');
    expect(screen.getByLabelText('Subject')).toHaveValue(
      'STN 125742/0 - Please include the Regulatory Project Manager: Updated stability data',
    );
    expect(screen.getByLabelText('Body')).toHaveValue('Dear Priya Raman,\n\nPlease include Marcus Ortega on all future emails.\n');
    expect(screen.getByText('No findings.')).toBeInTheDocument();
  });

  it('shows findings live as the reviewer edits', async () => {
    renderEditor();
    const cc = await screen.findByLabelText('Cc');

    await userEvent.clear(cc);

    const finding = await screen.findByTestId('finding');
    expect(finding).toHaveTextContent('Blocking');
    expect(finding).toHaveTextContent('rpm-cc');
    expect(finding).toHaveTextContent('SOPP 8119 VII.B.1');
    expect(finding).toHaveTextContent('Value: marcus.ortega@fda.hhs.gov');
    expect(finding).toHaveTextContent('is not copied');
    expect(finding).toHaveTextContent('Fix: add marcus.ortega@fda.hhs.gov to Cc');
    const edit = backend.checkReply.mock.lastCall?.[2] as DraftEditDto;
    expect(edit.cc).toBe('');
    expect(edit.to).toBe('Priya Raman <priya.raman@acmebio.example>');
  });

  it('checks once after a burst of typing', async () => {
    render(DraftEditor, { messageId: 1, onclose: () => {}, checkDelayMs: 200 });
    const subject = await screen.findByLabelText('Subject');

    await userEvent.type(subject, ' now');

    await waitFor(() => expect(backend.checkReply).toHaveBeenCalledTimes(1));
    const edit = backend.checkReply.mock.lastCall?.[2] as DraftEditDto;
    expect(edit.subject.endsWith(' now')).toBe(true);
  });

  it('shows a warning apart from blocking findings', async () => {
    backend.checkReply.mockResolvedValue(draftCheck([sponsorDomainFinding()]));
    renderEditor();
    await userEvent.type(await screen.findByLabelText('To'), ',');

    const finding = await screen.findByTestId('finding');
    expect(finding).toHaveTextContent('Warning');
    expect(finding).toHaveTextContent('SOPP 8119 VI.C.2');
    expect(screen.getByRole('button', { name: /Export/ })).toHaveAttribute('aria-disabled', 'false');
    expect(screen.getByTestId('export-reason')).toHaveTextContent('0 blocking findings and 1 warning. Review the warnings, then export.');
  });

  it('disables export while a finding blocks and enables it once fixed', async () => {
    renderEditor();
    const cc = await screen.findByLabelText('Cc');
    const exportButton = screen.getByRole('button', { name: /Export/ });
    expect(exportButton).toHaveAttribute('aria-disabled', 'false');

    await userEvent.clear(cc);
    await screen.findByTestId('finding');

    expect(exportButton).toHaveAttribute('aria-disabled', 'true');
    expect(exportButton).toHaveAttribute('aria-describedby', 'export-reason');
    expect(exportButton).toHaveAccessibleDescription(
      '1 blocking finding and 0 warnings. Export is unavailable until every blocking finding is fixed.',
    );
    expect(screen.getByTestId('export-reason')).toHaveAttribute('role', 'status');

    await userEvent.type(cc, 'marcus.ortega@fda.hhs.gov');

    await waitFor(() => expect(exportButton).toHaveAttribute('aria-disabled', 'false'));
    expect(screen.queryByTestId('finding')).not.toBeInTheDocument();
    expect(exportButton).toHaveAccessibleDescription('0 blocking findings and 0 warnings. The draft can be exported.');
  });

  it('does not export while a finding blocks', async () => {
    renderEditor();
    await userEvent.clear(await screen.findByLabelText('Cc'));
    await screen.findByTestId('finding');

    await userEvent.click(screen.getByRole('button', { name: /Export/ }));

    expect(backend.chooseDraftPath).not.toHaveBeenCalled();
    expect(backend.exportReply).not.toHaveBeenCalled();
  });

  it('marks an entry that is not an address', async () => {
    backend.checkReply.mockResolvedValue({
      ...draftCheck(),
      invalidAddresses: [{ field: 'to', value: 'priya@acme', message: 'To: "priya@acme" is not an email address' }],
    });
    renderEditor();
    const to = await screen.findByLabelText('To');

    await userEvent.clear(to);
    await userEvent.type(to, 'priya@acme');

    await waitFor(() => expect(to).toHaveAttribute('aria-invalid', 'true'));
    expect(to).toHaveAccessibleDescription('To: "priya@acme" is not an email address');
    expect(screen.getByRole('button', { name: /Export/ })).toHaveAttribute('aria-disabled', 'true');
  });

  it('records an exception to secure email', async () => {
    renderEditor();
    const exception = await screen.findByLabelText('Exception to secure email (SOPP 8119 V.A.1.a)');

    await userEvent.selectOptions(exception, 'SOPP 8119 V.A.1.a.iv: responses to requests for general information');

    await waitFor(() => expect(backend.checkReply).toHaveBeenCalled());
    const edit = backend.checkReply.mock.lastCall?.[2] as DraftEditDto;
    expect(edit.exception).toBe('general-information');
  });

  it('marks the other applications the reply may name', async () => {
    renderEditor();
    const transBla = await screen.findByLabelText('Trans-BLA communication');
    const related = screen.getByLabelText('Related precursor submissions');

    await userEvent.click(transBla);
    await userEvent.type(related, 'IND 12345');

    await waitFor(() => {
      const edit = backend.checkReply.mock.lastCall?.[2] as DraftEditDto | undefined;
      expect(edit?.related).toBe('IND 12345');
    });
    const edit = backend.checkReply.mock.lastCall?.[2] as DraftEditDto;
    expect(edit.transBla).toBe(true);
    expect(edit.bundled).toBe(false);
    expect(screen.getByRole('group', { name: 'Other applications the reply may name (SOPP 8119 V.C.7)' })).toBeInTheDocument();
  });

  it('drafts again from another template', async () => {
    renderEditor();
    const select = await screen.findByLabelText('Template');

    await userEvent.selectOptions(select, 'secure-email-setup');

    await waitFor(() => expect(backend.openReply).toHaveBeenCalledWith(1, 'secure-email-setup'));
  });

  it('asks for a template when none replies to the decision', async () => {
    backend.openReply.mockResolvedValue(reply(1, { suggested: [], draft: null }));
    renderEditor();

    expect(await screen.findByText('No template replies to this decision; choose one.')).toBeInTheDocument();
    expect(screen.queryByLabelText('To')).not.toBeInTheDocument();
  });

  it('exports and shows the saved path and hash', async () => {
    backend.chooseDraftPath.mockResolvedValue('/home/dana/reply-STN-125742-0.eml');
    backend.exportReply.mockResolvedValue(recordCopy(3));
    renderEditor();
    await screen.findByLabelText('To');

    await userEvent.click(screen.getByRole('button', { name: /Export/ }));

    const exported = await screen.findByTestId('exported');
    expect(exported).toHaveTextContent('Exported as record copy 3');
    expect(exported).toHaveTextContent('/home/dana/reply-STN-125742-0.eml');
    expect(exported).toHaveTextContent('a3f1'.repeat(16));
    expect(exported).toHaveTextContent('email (SOPP 8119 VII.B.2)');
    expect(backend.chooseDraftPath).toHaveBeenCalledWith('reply-STN-125742-0.eml');
    expect(backend.exportReply).toHaveBeenCalledWith(1, 'include-rpm', reply(1).draft?.edit, '/home/dana/reply-STN-125742-0.eml');
  });

  it('shows why an export failed', async () => {
    backend.chooseDraftPath.mockResolvedValue('/home/dana/reply.eml');
    backend.exportReply.mockRejectedValue(new Error('/home/dana/reply.eml already exists; choose another file name'));
    renderEditor();
    await screen.findByLabelText('To');

    await userEvent.click(screen.getByRole('button', { name: /Export/ }));

    expect(await screen.findByRole('alert')).toHaveTextContent('/home/dana/reply.eml already exists');
    expect(screen.queryByTestId('exported')).not.toBeInTheDocument();
  });

  it('is operable with the keyboard', async () => {
    backend.chooseDraftPath.mockResolvedValue('/home/dana/reply.eml');
    backend.exportReply.mockResolvedValue(recordCopy(4));
    renderEditor();
    const cc = await screen.findByLabelText('Cc');
    expect(screen.getByRole('heading', { name: 'Draft reply' })).toHaveFocus();

    cc.focus();
    await userEvent.keyboard('{Control>}a{/Control}{Backspace}');
    await screen.findByTestId('finding');
    await userEvent.keyboard('marcus.ortega@fda.hhs.gov');
    const exportButton = screen.getByRole('button', { name: /Export/ });
    await waitFor(() => expect(exportButton).toHaveAttribute('aria-disabled', 'false'));
    screen.getByRole('heading', { name: 'Draft reply' }).focus();
    for (let i = 0; i < 10 && document.activeElement !== exportButton; i += 1) await userEvent.tab();
    expect(exportButton).toHaveFocus();
    await userEvent.keyboard('{Enter}');

    expect(await screen.findByTestId('exported')).toHaveTextContent('Exported as record copy 4');
  });

  it('has no serious accessibility violations with findings', async () => {
    const { container } = renderEditor();
    await userEvent.clear(await screen.findByLabelText('Cc'));
    await screen.findByTestId('finding');

    expect(await seriousViolations(container)).toEqual([]);
  });
});
