import { Tag } from 'antd';

// Statuses are free text from the source, shown exactly as stored; the colour is a
// hint for the common ones.
const COLORS: Record<string, string> = {
  completed: 'green',
  final: 'green',
  done: 'green',
  cancelled: 'default',
  canceled: 'default',
  failed: 'red',
  pending: 'gold',
  preliminary: 'gold',
  queued: 'gold',
  scheduled: 'blue',
  in_progress: 'processing',
  running: 'processing',
};

export function StatusTag({ value }: { value: string | null | undefined }) {
  if (value === null || value === undefined || value === '') return null;
  return (
    <Tag color={COLORS[value.trim().toLowerCase()] ?? 'default'} className="status-tag">
      {value}
    </Tag>
  );
}
