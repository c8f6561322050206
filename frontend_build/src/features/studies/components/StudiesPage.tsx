import type { InputRef } from 'antd';
import { Button, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { NoMatch } from '@/components/NoMatch';
import { ErrorAlert } from '@/components/ErrorAlert';
import { SearchBox } from '@/components/SearchBox';
import { StudyFilterBar } from '@/components/study-filters/StudyFilterBar';
import { isApiError } from '@/lib/api';
import { formatNumber } from '@/lib/format';
import { isInteractiveTarget, isTypingTarget } from '@/lib/keyboard';
import { getPreferences, updateSection, usePreferences } from '@/lib/preferences';
import { useFilterOptions, useHealth, useStudySearch, useStudyStatistics } from '../api/studies';
import { visibleColumns } from '../columns';
import { clearedFilters, hasFilters, rememberedSearch } from '../searchState';
import { useSearchState } from '../useSearchState';
import { ColumnChooser } from './ColumnChooser';
import { ExportButtons } from './ExportButtons';
import { FirstRun } from './FirstRun';
import { StudiesTable } from './StudiesTable';
import { StudyDrawer } from './StudyDrawer';

/**
 * At the app's first screen with no search in its URL, reopen the last search (its
 * filters, sort and page size). Returns whether it is about to, so that the empty
 * search is not remembered over it.
 */
function useRestoreLastSearch(): boolean {
  const location = useLocation();
  const navigate = useNavigate();
  const initial = location.key === 'default' && location.search === '';
  const studies = getPreferences().studies;
  const saved = studies?.lastSearch ?? (studies?.pageSize ? `page_size=${studies.pageSize}` : '');
  const restoring = initial && saved !== '' && saved !== 'page_size=20';
  useEffect(() => {
    // Either way the first entry gets a key of its own, so that coming back to it
    // (the browser's Back) is not taken for the app's opening and restores nothing.
    if (initial) navigate(restoring ? `${location.pathname}?${saved}` : location.pathname, { replace: true });
  }, [initial, restoring, saved, location.pathname, navigate]);
  return restoring;
}

export function StudiesPage() {
  const health = useHealth();
  const restoring = useRestoreLastSearch();
  if (health.data?.studies === 0) return <FirstRun />;
  if (restoring) return null;
  return <StudiesBrowser />;
}

type Pending = 'first' | 'last' | null;

function StudiesBrowser() {
  const { t, i18n } = useTranslation();
  const { search, studyId, update, replace, openStudy, closeStudy } = useSearchState();
  const preferences = usePreferences();
  const hidden = preferences.studies?.hiddenColumns ?? [];
  const columns = useMemo(() => visibleColumns(hidden), [hidden]);

  const results = useStudySearch(search);
  const options = useFilterOptions();
  const statistics = useStudyStatistics(search);

  const rows = results.data?.data ?? [];
  const total = results.data?.total ?? null;
  const filtered = hasFilters(search);

  // Remember the search for next time (filters, sort, page size).
  const remembered = rememberedSearch(search);
  useEffect(() => {
    updateSection('studies', { lastSearch: remembered, pageSize: search.page_size });
  }, [remembered, search.page_size]);

  // The selected row: ↑/↓ move it, Enter opens it; crossing a page edge turns the page.
  const [selected, setSelected] = useState(-1);
  const pending = useRef<Pending>(null);
  const pageKey = JSON.stringify(results.data ? [results.data.page, results.data.page_size, search] : null);
  useEffect(() => {
    if (results.isPlaceholderData) return;
    if (pending.current === 'first') setSelected(rows.length > 0 ? 0 : -1);
    else if (pending.current === 'last') setSelected(rows.length - 1);
    else setSelected((index) => (index >= rows.length ? rows.length - 1 : index));
    pending.current = null;
  }, [pageKey, results.isPlaceholderData]);

  // The study opened from a link or by a click is the selected row.
  useEffect(() => {
    if (!studyId) return;
    const index = rows.findIndex((row) => row.exam_id === studyId);
    if (index >= 0) setSelected(index);
  }, [studyId, rows]);

  const searchBox = useRef<InputRef>(null);
  const tableRegion = useRef<HTMLDivElement>(null);
  const lastPage = total !== null ? Math.max(1, Math.ceil(total / search.page_size)) : 1;

  const move = useCallback(
    (step: 1 | -1) => {
      if (results.isPlaceholderData) return;
      const next = selected + step;
      if (next >= 0 && next < rows.length) {
        setSelected(next);
        return;
      }
      if (step === 1 && rows.length > 0 && search.page < lastPage) {
        pending.current = 'first';
        update({ page: search.page + 1 });
      } else if (step === -1 && search.page > 1 && selected <= 0) {
        pending.current = 'last';
        update({ page: search.page - 1 });
      } else if (selected < 0 && rows.length > 0) {
        setSelected(0);
      }
    },
    [results.isPlaceholderData, selected, rows.length, search.page, lastPage, update],
  );

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key === '/' && !isTypingTarget(event.target) && !studyId) {
        event.preventDefault();
        searchBox.current?.focus({ cursor: 'all' });
        return;
      }
      if (studyId) return; // the drawer has the keys (Esc closes it)
      if (isInteractiveTarget(event.target)) return;
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        move(event.key === 'ArrowDown' ? 1 : -1);
      } else if (event.key === 'Enter' && selected >= 0 && rows[selected]) {
        event.preventDefault();
        openStudy(rows[selected].exam_id);
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [studyId, move, selected, rows, openStudy]);

  // Keep the selected row in view.
  useEffect(() => {
    if (selected < 0) return;
    const row = tableRegion.current?.querySelectorAll<HTMLElement>('tbody tr.study-row')[selected];
    row?.scrollIntoView?.({ block: 'nearest' });
  }, [selected]);

  const onCommitQuery = useCallback((q: string) => update({ q }), [update]);
  const clear = () => replace(clearedFilters(search));

  const empty = results.error ? (
    <span />
  ) : results.isLoading ? (
    <div className="table-loading" aria-busy="true">
      {t('studies.loading')}
    </div>
  ) : (
    <NoMatch
      area="studies"
      page={search.page}
      lastPage={lastPage}
      total={total}
      filtered={filtered}
      onLastPage={() => update({ page: lastPage })}
      onClear={clear}
    />
  );

  const openRow = rows.find((row) => row.exam_id === studyId);

  return (
    <section className="studies-page" aria-labelledby="studies-title">
      <h1 id="studies-title" className="visually-hidden">
        {t('studies.title')}
      </h1>
      <div className="studies-toolbar">
        <SearchBox
          ref={searchBox}
          label={t('studies.searchLabel')}
          placeholder={t('studies.searchPlaceholder')}
          shortcut
          value={search.q}
          onCommit={onCommitQuery}
          onArrowDown={() => {
            tableRegion.current?.focus({ preventScroll: true });
            if (rows.length > 0) setSelected(0);
          }}
        />
        <div className="toolbar-spacer" />
        <ColumnChooser hidden={hidden} onChange={(next) => updateSection('studies', { hiddenColumns: next })} />
        <ExportButtons search={search} total={total} />
      </div>
      <StudyFilterBar
        filters={search}
        update={update}
        options={options.data ?? results.data?.filters}
        statistics={statistics.data}
        onClear={clear}
        canClear={filtered}
      />
      <div className="studies-summary">
        <Typography.Text strong className="studies-total" role="status" aria-live="polite">
          {total !== null ? t('studies.total', { count: total, total: formatNumber(total, i18n.language) }) : '\u00a0'}
        </Typography.Text>
        <Typography.Text type="secondary" className="keyboard-hint">
          {t('studies.keyboardHint')}
        </Typography.Text>
      </div>
      {results.error && !(isApiError(results.error) && results.error.kind === 'session') ? (
        <ErrorAlert
          error={results.error}
          title={t('studies.errorTitle')}
          onRetry={() => void results.refetch()}
          action={
            <span className="error-actions">
              <Button size="small" onClick={() => void results.refetch()}>
                {t('common.retry')}
              </Button>
              {filtered ? (
                <Button size="small" onClick={clear}>
                  {t('filters.clear')}
                </Button>
              ) : null}
            </span>
          }
        />
      ) : null}
      <div className="studies-table-region" ref={tableRegion} tabIndex={0} role="region" aria-label={t('studies.listLabel')}>
        <StudiesTable
          rows={rows}
          total={total ?? 0}
          search={search}
          columns={columns}
          loading={results.isFetching}
          selectedIndex={selected}
          empty={empty}
          onSelect={setSelected}
          onOpen={openStudy}
          onPage={(page, pageSize) => {
            if (pageSize !== search.page_size) update({ page_size: pageSize, page: 1 });
            else update({ page });
          }}
          onSort={(sort) => update({ sort })}
        />
      </div>
      <StudyDrawer examId={studyId} patientName={openRow?.patient_name} q={search.q} onClose={closeStudy} onOpenStudy={openStudy} />
    </section>
  );
}

