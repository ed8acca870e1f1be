/** The review side of the HTTP API (CONTRACT §6, README "HTTP API"): flags, comments, approval, settings, progress. */
import { request } from '../api';
import type { Flag } from '../../model/document';
import type { FlagComment } from '../../model/reviews';

export interface DatasetSettings {
  flagReasons: string[];
  fourEyes: boolean;
}

export interface NewFlag {
  sheet: string;
  row: string;
  column: string | null;
  reason: string;
  note?: string;
}

export interface Progress {
  sheets: Array<{ id: string; name: string; rowCount: number; statuses: Record<string, number> }>;
  coders: Array<{ name: string; sheet: string; rows: number }>;
  days: Array<{ day: string; rows: number }>;
  timeline: Array<{ row: string; sheet: string; date: string | null; label: string | null; kind: string | null; status: string }>;
}

const base = (datasetId: string) => `/api/datasets/${encodeURIComponent(datasetId)}`;

export const getSettings = (datasetId: string) => request<DatasetSettings>('GET', `${base(datasetId)}/settings`);

export const createFlag = (datasetId: string, flag: NewFlag) =>
  request<Flag & { row: string }>('POST', `${base(datasetId)}/flags`, flag);

export const addComment = (datasetId: string, flagId: string, text: string) =>
  request<FlagComment>('POST', `${base(datasetId)}/flags/${encodeURIComponent(flagId)}/comments`, { text });

export const resolveFlag = (datasetId: string, flagId: string, resolution: string) =>
  request<Flag>('POST', `${base(datasetId)}/flags/${encodeURIComponent(flagId)}/resolve`, resolution ? { resolution } : {});

export const approveRow = (datasetId: string, rowId: string) =>
  request<{ row: string; status: 'approved' }>('POST', `${base(datasetId)}/rows/${encodeURIComponent(rowId)}/approve`);

export const getProgress = (datasetId: string) => request<Progress>('GET', `${base(datasetId)}/progress`);
