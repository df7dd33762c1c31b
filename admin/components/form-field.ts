/**
 * A field of a panel form, as the server describes it (admin/resources/actions.ts) and the ActionForm component
 * renders it. Types only: the browser bundle and the server share it without sharing any code.
 */
export interface FieldOption {
  value: string;
  label: string;
}

export interface FormField {
  name: string;
  type:
    'text' | 'textarea' | 'datetime' | 'select' | 'multiselect' | 'checkbox' | 'lines' | 'number' | 'hidden';
  required?: boolean;
  maxLength?: number;
  options?: FieldOption[];
  /** Filled in from the record (its param of the same name) when the form opens. */
  fromRecord?: boolean;
  /** The value the form starts with otherwise. */
  value?: unknown;
}
