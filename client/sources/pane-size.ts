/**
 * The reading pane's width (dragged at its edge, or arrow keys on the edge) and whether it is open,
 * remembered in this browser's localStorage for the next page.
 */
const STORAGE_KEY = 'tessera:reading-pane';
const MIN_WIDTH = 260;
const DEFAULT_WIDTH = 420;
/** Room always left for the grid beside the pane. */
const GRID_ROOM = 320;

export interface PaneState {
  open: boolean;
  width: number;
}

/** The state as last stored, or closed at the default width. */
export function readPaneState(): PaneState {
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as Partial<PaneState> | null;
    return {
      open: stored?.open === true,
      width: typeof stored?.width === 'number' && stored.width >= MIN_WIDTH ? stored.width : DEFAULT_WIDTH,
    };
  } catch {
    return { open: false, width: DEFAULT_WIDTH };
  }
}

export function storePaneState(state: PaneState): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
  } catch {
    // Storage full or blocked: the pane works, it is just not remembered.
  }
}

/** Lets `handle` resize `pane`; `resized` gets each width the user settles on. Returns a function that stops it. */
export function resizable(pane: HTMLElement, handle: HTMLElement, resized: (width: number) => void): () => void {
  const setWidth = (width: number) => {
    const max = Math.max(MIN_WIDTH, window.innerWidth - GRID_ROOM);
    pane.style.width = `${Math.round(Math.min(max, Math.max(MIN_WIDTH, width)))}px`;
  };
  let startX = 0;
  let startWidth = 0;
  const move = (e: PointerEvent) => setWidth(startWidth + e.clientX - startX);
  const up = (e: PointerEvent) => {
    handle.releasePointerCapture(e.pointerId);
    handle.removeEventListener('pointermove', move);
    handle.removeEventListener('pointerup', up);
    pane.classList.remove('resizing');
    resized(pane.offsetWidth);
  };
  const down = (e: PointerEvent) => {
    e.preventDefault();
    startX = e.clientX;
    startWidth = pane.offsetWidth;
    handle.setPointerCapture(e.pointerId);
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
    pane.classList.add('resizing');
  };
  const key = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    setWidth(pane.offsetWidth + (e.key === 'ArrowRight' ? 24 : -24));
    resized(pane.offsetWidth);
  };
  handle.addEventListener('pointerdown', down);
  handle.addEventListener('keydown', key);
  return () => {
    handle.removeEventListener('pointerdown', down);
    handle.removeEventListener('keydown', key);
  };
}
