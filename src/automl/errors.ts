// The one error type for unusable input data: a machine-readable code plus a message that says what to fix.

export type DatasetErrorCode =
  | 'FileMissing'
  | 'EmptyFile'
  | 'NotUtf8'
  | 'UnparseableRow'
  | 'DuplicateColumn'
  | 'TargetColumnMissing'
  | 'SingleClass'
  | 'TooManyClasses'
  | 'TooFewRows'
  | 'TooFewRowsInClass'
  | 'NoUsableFeatures'
  | 'InvalidSettings';

export interface DatasetErrorDetails {
  /** 1-based line number in the file, where the problem is on one line. */
  line?: number;
  /** The columns the file has, where the problem is a column name. */
  columns?: string[];
}

/**
 * Thrown for input the engine cannot learn from. Callers (the local workspace, the uploadDataset
 * activity) show `message` to the user and may branch on `code`; it is never worth retrying.
 */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  constructor(
    readonly code: DatasetErrorCode,
    message: string,
    readonly details: DatasetErrorDetails = {},
  ) {
    super(message);
  }
}
