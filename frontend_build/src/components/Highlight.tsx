import { highlightParts } from '@/lib/highlight';

/** `text` with every case-insensitive occurrence of `query` marked. */
export function Highlight({ text, query }: { text: string | null | undefined; query: string }) {
  if (text === null || text === undefined) return null;
  if (!query) return <>{text}</>;
  return (
    <>
      {highlightParts(text, query).map((part, index) =>
        part.match ? (
          <mark key={index} className="search-match">
            {part.text}
          </mark>
        ) : (
          <span key={index}>{part.text}</span>
        ),
      )}
    </>
  );
}
