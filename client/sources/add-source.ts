/**
 * Adding a source: paste its text (with title, link, outlet and date), or drop or pick a .txt, .md or
 * .html file, which the server stores as it is (.txt, .md) or reduces to its readable text (.html).
 */
import { isHttpUrl } from '../../model/columns';
import type { SourceSummary } from '../../model/http';
import { api, uploadSource } from '../api';
import { h } from '../ui/dom';

const FILE_TYPES = '.txt,.md,.markdown,.html,.htm,text/plain,text/markdown,text/html';

export class AddSourceForm {
  readonly element: HTMLElement;
  private readonly title = h('input', { type: 'text', 'data-field': 'title', maxlength: 500, placeholder: 'Headline' });
  private readonly url = h('input', { type: 'url', 'data-field': 'url', placeholder: 'https://…' });
  private readonly outlet = h('input', { type: 'text', 'data-field': 'outlet', maxlength: 200, placeholder: 'e.g. South China Morning Post' });
  private readonly date = h('input', { type: 'text', 'data-field': 'publishedAt', maxlength: 40, placeholder: 'YYYY-MM-DD' });
  private readonly text = h('textarea', { rows: 12, 'data-field': 'text', placeholder: 'Paste the article’s text here, or drop a .txt, .md or .html file' });
  private readonly file = h('input', { type: 'file', accept: FILE_TYPES, 'data-testid': 'source-file' });
  private readonly error = h('p', { class: 'form-error', role: 'alert' });
  private readonly save = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'source-save' }, 'Add source');
  private busy = false;

  constructor(private readonly datasetId: string, private readonly on: { added(source: SourceSummary): void; cancel(): void }) {
    this.error.hidden = true;
    const field = (label: string, input: HTMLElement) => h('label', { class: 'field' }, h('span', {}, label), input);
    const form = h('form', { class: 'add-source', 'data-testid': 'add-source-form' },
      field('Title', this.title),
      field('Link', this.url),
      h('div', { class: 'field-pair' }, field('Outlet', this.outlet), field('Published', this.date)),
      field('Text', this.text),
      h('label', { class: 'field file-pick' }, h('span', {}, 'Or a .txt, .md or .html file (title, link, outlet and date above go with it if filled)'), this.file),
      this.error,
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'button', onclick: () => this.on.cancel() }, 'Cancel'), this.save),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submit();
    });
    this.file.addEventListener('change', () => {
      const file = this.file.files?.[0];
      if (file) void this.upload(file);
    });
    form.addEventListener('dragover', (e) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      form.classList.add('dropping');
    });
    form.addEventListener('dragleave', () => form.classList.remove('dropping'));
    form.addEventListener('drop', (e) => {
      const file = e.dataTransfer?.files[0];
      form.classList.remove('dropping');
      if (!file) return;
      e.preventDefault();
      void this.upload(file);
    });
    this.element = form;
  }

  focus(): void {
    this.title.focus();
  }

  private fields() {
    return { title: this.title.value.trim(), url: this.url.value.trim(), outlet: this.outlet.value.trim(), publishedAt: this.date.value.trim() };
  }

  /** Why the link cannot be stored, or null: the server keeps http(s) links only (others would run in a reader's browser). */
  private linkProblem(): string | null {
    const { url } = this.fields();
    return url === '' || isHttpUrl(url) ? null : 'The link must be a web address starting with http:// or https://.';
  }

  private async submit(): Promise<void> {
    const { title, url, outlet, publishedAt } = this.fields();
    // The text goes exactly as pasted: offsets of anchors count it as stored.
    const text = this.text.value;
    if (text.trim() === '') return this.fail('Paste the text, or pick a file.');
    if (title === '') return this.fail('Give the source a title.');
    const link = this.linkProblem();
    if (link) return this.fail(link);
    await this.run(() => api.post('/api/datasets/{id}/sources', { params: { id: this.datasetId }, body: {
      title, text, ...(url && { url }), ...(outlet && { outlet }), ...(publishedAt && { publishedAt }),
    } }));
  }

  private async upload(file: File): Promise<void> {
    if (!/\.(txt|md|markdown|html?)$/i.test(file.name) && !/^text\/(plain|markdown|html)$/.test(file.type)) {
      return this.fail(`“${file.name}” is not a .txt, .md or .html file.`);
    }
    const link = this.linkProblem();
    if (link) return this.fail(link);
    await this.run(() => uploadSource(this.datasetId, file, this.fields()));
  }

  private async run(call: () => Promise<SourceSummary>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.save.disabled = true;
    this.error.hidden = true;
    try {
      this.on.added(await call());
    } catch (err) {
      // Nothing typed is lost: the form stays as it was, with the server's reason.
      this.fail((err as Error).message);
    } finally {
      this.busy = false;
      this.save.disabled = false;
    }
  }

  private fail(message: string): void {
    this.error.textContent = message;
    this.error.hidden = false;
  }
}
