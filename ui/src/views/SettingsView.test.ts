import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SettingsDto } from '../lib/ipc/client';
import { seriousViolations } from '../test/axe';

const backend = vi.hoisted(() => ({
  getSettings: vi.fn(),
  saveSettings: vi.fn(),
  listDirectory: vi.fn(),
  listClosures: vi.fn(),
  listKeys: vi.fn(),
  listTrust: vi.fn(),
}));
vi.mock('../lib/ipc/client', () => ({ backend }));

import SettingsView from './SettingsView.svelte';

function settings(overrides: Partial<SettingsDto> = {}): SettingsDto {
  return {
    reviewerName: 'Dana Whitfield',
    reviewerEmail: 'dana.whitfield@fda.hhs.gov',
    officialDomains: ['fda.hhs.gov'],
    alertEarlyWarning: true,
    alertLeadMinutes: [120],
    alertOverdue: true,
    deadlinePolicy: 'close',
    ...overrides,
  };
}

describe('SettingsView', () => {
  beforeEach(() => {
    backend.getSettings.mockReset();
    backend.saveSettings.mockReset();
    backend.getSettings.mockResolvedValue(settings());
    backend.saveSettings.mockResolvedValue(null);
    backend.listDirectory.mockResolvedValue([]);
    backend.listClosures.mockResolvedValue([]);
    backend.listKeys.mockResolvedValue({ keys: [], unlocked: 0 });
    backend.listTrust.mockResolvedValue([]);
  });

  it('shows the stored deadline policy', async () => {
    backend.getSettings.mockResolvedValue(settings({ deadlinePolicy: 'elapsed' }));
    render(SettingsView);

    const elapsed = await screen.findByRole('radio', { name: /^Elapsed/ });
    expect(elapsed).toBeChecked();
    expect(screen.getByRole('radio', { name: /^Close of business/ })).not.toBeChecked();
  });

  it('saves a changed deadline policy', async () => {
    render(SettingsView);
    const elapsed = await screen.findByRole('radio', { name: /^Elapsed/ });
    expect(screen.getByRole('radio', { name: /^Close of business/ })).toBeChecked();

    await userEvent.click(elapsed);
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));

    await waitFor(() => expect(backend.saveSettings).toHaveBeenCalledTimes(1));
    expect(backend.saveSettings).toHaveBeenCalledWith(settings({ deadlinePolicy: 'elapsed' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Settings saved.');
  });

  it('saves the reviewer identity and official domains', async () => {
    render(SettingsView);
    const domains = await screen.findByLabelText('Official email domains (comma-separated)');
    expect(domains).toHaveValue('fda.hhs.gov');
    expect(screen.getByLabelText('Email')).toHaveValue('dana.whitfield@fda.hhs.gov');

    await userEvent.clear(screen.getByLabelText('Email'));
    await userEvent.type(screen.getByLabelText('Email'), 'dana.w@fda.gov');
    await userEvent.type(domains, ', fda.gov');
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));

    await waitFor(() => expect(backend.saveSettings).toHaveBeenCalledTimes(1));
    expect(backend.saveSettings).toHaveBeenCalledWith(
      settings({ reviewerEmail: 'dana.w@fda.gov', officialDomains: ['fda.hhs.gov', 'fda.gov'] }),
    );
  });

  it('shows why a save failed', async () => {
    backend.saveSettings.mockRejectedValue(new Error('invalid alert lead time'));
    render(SettingsView);
    await screen.findByRole('radio', { name: /^Elapsed/ });

    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('invalid alert lead time');
  });

  it('has no serious accessibility violations', async () => {
    const { container } = render(SettingsView);
    await screen.findByRole('radio', { name: /^Elapsed/ });

    expect(await seriousViolations(container)).toEqual([]);
  });
});
