// Small checks shared by forms and API bodies. Each returns the cleaned value or records a
// problem under the field's name; `done()` throws one ValidationError listing them all.
import { ValidationError, type FieldProblem } from './errors.ts';
import { quoteIdentifier, type Queryable } from './db/index.ts';

export class Checker {
  readonly problems: FieldProblem[] = [];
  private readonly input: Record<string, unknown>;
  constructor(input: unknown) {
    this.input = input && typeof input === 'object' ? (input as Record<string, unknown>) : {};
  }

  private raw(field: string): string {
    const value = this.input[field];
    if (value === undefined || value === null) return '';
    if (typeof value === 'string') return value.trim();
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    this.problems.push({ field, message: 'validation.type_text' });
    return '';
  }

  fail(field: string, message: string, params?: FieldProblem['params']): void {
    this.problems.push({ field, message, params });
  }

  text(field: string, options: { required?: boolean; max?: number; min?: number } = {}): string {
    const value = this.raw(field);
    const max = options.max ?? 1000;
    if (!value) {
      if (options.required) this.fail(field, 'validation.required');
    } else if (value.length > max) this.fail(field, 'validation.too_long', { max });
    else if (options.min && value.length < options.min) this.fail(field, 'validation.too_short', { min: options.min });
    return value;
  }

  /** A password is taken as typed (not trimmed). */
  password(field: string, min: number): string {
    const value = this.input[field];
    if (typeof value !== 'string' || value === '') this.fail(field, 'validation.required');
    else if (value.length < min) this.fail(field, 'validation.password_short', { min });
    else if (value.length > 200) this.fail(field, 'validation.too_long', { max: 200 });
    return typeof value === 'string' ? value : '';
  }

  optionalText(field: string, max = 1000): string | null {
    return this.text(field, { max }) || null;
  }

  email(field: string): string {
    const value = this.text(field, { required: true, max: 254 }).toLowerCase();
    if (value && !/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(value)) this.fail(field, 'validation.email');
    return value;
  }

  slug(field: string): string {
    const value = this.text(field, { required: true, max: 80 }).toLowerCase();
    if (value && !/^[a-z0-9-]+$/.test(value)) this.fail(field, 'validation.slug');
    return value;
  }

  url(field: string): string | null {
    const value = this.text(field, { max: 500 });
    if (!value) return null;
    try {
      const url = new URL(value);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
      return url.toString();
    } catch {
      this.fail(field, 'validation.url');
      return null;
    }
  }

  number(
    field: string,
    options: { min?: number; max?: number; integer?: boolean; required?: boolean } = {},
  ): number | null {
    const value = this.raw(field)
      .replace(/[\s\u00a0]/g, '')
      .replace(',', '.');
    if (!value) {
      if (options.required) this.fail(field, 'validation.required');
      return null;
    }
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || (options.integer && !Number.isInteger(parsed))) {
      this.fail(field, options.integer ? 'validation.integer' : 'validation.number');
      return null;
    }
    if (options.min !== undefined && parsed < options.min) this.fail(field, 'validation.min', { min: options.min });
    if (options.max !== undefined && parsed > options.max) this.fail(field, 'validation.max', { max: options.max });
    return parsed;
  }

  oneOf<T extends string>(
    field: string,
    allowed: readonly T[],
    options: { required?: boolean } = { required: true },
  ): T | null {
    const value = this.raw(field);
    if (!value) {
      if (options.required) this.fail(field, 'validation.required');
      return null;
    }
    if (!(allowed as readonly string[]).includes(value)) {
      this.fail(field, 'validation.one_of');
      return null;
    }
    return value as T;
  }

  done(): void {
    if (this.problems.length > 0) throw new ValidationError(this.problems);
  }
}

/**
 * Refuses a value already used by another row (a slug or name), naming the form field: 409.
 * `table` and `column` are the caller's constants, quoted all the same.
 */
export async function assertUnique(
  db: Queryable,
  table: string,
  column: string,
  value: string,
  exceptId: number | null,
  field = column,
): Promise<void> {
  const taken = await db.one<{ id: number }>(
    `SELECT id FROM ${quoteIdentifier(table)} WHERE ${quoteIdentifier(column)} = $1`,
    [value],
  );
  if (taken && taken.id !== exceptId) throw new ValidationError([{ field, message: 'validation.slug_taken' }], 409);
}
