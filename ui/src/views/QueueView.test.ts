import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { queueRow } from '../test/fixtures';
import { seriousViolations } from '../test/axe';

const backend = vi.hoisted(() => ({
  queueOrder: vi.fn(),
  queueRows: vi.fn(),
}));
vi.mock('../lib/ipc/client', () => ({ backend }));

import QueueView from './QueueView.svelte';

describe('QueueView', () => {
  beforeEach(() => {
    backend.queueOrder.mockReset();
    backend.queueRows.mockReset();
    const ids = Array.from({ length: 100_000 }, (_, i) => i + 1);
    backend.queueOrder.mockResolvedValue({ ids });
    backend.queueRows.mockImplementation(async (wanted: number[]) => wanted.map((id) => queueRow(id)));
  });

  it('renders only a window of 100,000 rows', async () => {
    render(QueueView, { selected: null, refresh: 0, onopen: () => {} });

    await screen.findByText('100,000 messages');
    await screen.findByText('STN 125742/1 amendment');

    const options = within(screen.getByRole('listbox')).getAllByRole('option');
    expect(options.length).toBeLessThan(60);
    expect(options[0]).toHaveAttribute('aria-setsize', '100000');
    const fetched = backend.queueRows.mock.calls.flat(2).length;
    expect(fetched).toBeLessThan(60);
  });

  it('shows due time, time left and disposition', async () => {
    render(QueueView, { selected: null, refresh: 0, onopen: () => {} });

    const row = await screen.findByText('STN 125742/1 amendment');
    const option = row.closest('[role="option"]');
    expect(option).toHaveTextContent('Due (projected) Wed 2025-03-12 16:30 EDT (-04:00) · 3 h left · policy close');
    expect(option).toHaveTextContent('Needs decision');
    expect(option?.querySelector('.line3')).toHaveAttribute(
      'title',
      'Due (projected) Wed 2025-03-12 16:30 EDT (-04:00) · 3 h left in business hours · policy close',
    );
  });

  it('shows a deleted message as a tombstone', async () => {
    backend.queueOrder.mockResolvedValue({ ids: [9] });
    backend.queueRows.mockResolvedValue([
      queueRow(9, {
        from: null,
        subject: null,
        receivedAtEt: null,
        status: 'deleted',
        deleted: {
          deletedAt: '2025-03-05T17:00:00Z',
          deletedAtEt: 'Wed 2025-03-05 12:00 EST (-05:00)',
          deletedBy: 'dana.whitfield@fda.hhs.gov',
          taskId: 12,
          section: 'V.B.2.a.iii',
        },
        identifiers: ['STN 125742/5'],
        regulatory: true,
        disposition: 'not-accepted',
        dueAt: null,
        dueAtEt: null,
        dueProjected: false,
        duePolicy: null,
        businessSecondsLeft: null,
      }),
    ]);
    render(QueueView, { selected: null, refresh: 0, onopen: () => {} });

    const option = (await screen.findByText('(content deleted)')).closest('[role="option"]');
    expect(option).toHaveTextContent('STN 125742/5');
    expect(option).toHaveTextContent('Not accepted');
    expect(option).toHaveTextContent(
      'Deleted on Wed 2025-03-05 12:00 EST (-05:00) by dana.whitfield@fda.hhs.gov (SOPP 8119 V.B.2.a.iii)',
    );
    expect(option).not.toHaveTextContent('Received');
  });

  it('opens the active row with the keyboard', async () => {
    const onopen = vi.fn();
    render(QueueView, { selected: null, refresh: 0, onopen });
    await screen.findByText('STN 125742/1 amendment');

    const list = screen.getByRole('listbox');
    list.focus();
    await userEvent.keyboard('{ArrowDown}{ArrowDown}{Enter}');

    expect(onopen).toHaveBeenCalledWith(3);
    expect(list).toHaveAttribute('aria-activedescendant', 'queue-row-3');
  });

  it('sends the filters to the backend', async () => {
    render(QueueView, { selected: null, refresh: 0, onopen: () => {} });
    await screen.findByText('100,000 messages');

    await userEvent.selectOptions(screen.getByLabelText('Show'), 'overdue');
    await userEvent.type(screen.getByLabelText('STN'), '125742');

    await waitFor(() =>
      expect(backend.queueOrder).toHaveBeenLastCalledWith({
        search: null,
        due: 'overdue',
        disposition: null,
        identifier: '125742',
      }),
    );
  });

  it('has no serious accessibility violations', async () => {
    const { container } = render(QueueView, { selected: 2, refresh: 0, onopen: () => {} });
    await screen.findByText('STN 125742/1 amendment');

    expect(await seriousViolations(container)).toEqual([]);
  });
});
