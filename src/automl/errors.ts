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

/** A DatasetError as plain data, to cross a thread boundary (a posted Error arrives with no name, code or details). */
export interface DatasetErrorData {
  code: DatasetErrorCode;
  message: string;
  details: DatasetErrorDetails;
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

  toJSON(): DatasetErrorData {
    return { code: this.code, message: this.message, details: this.details };
  }

  /** The error again on the other side of a thread boundary, from its toJSON() form. */
  static fromJSON(data: DatasetErrorData): DatasetError {
    return new DatasetError(data.code, data.message, data.details);
  }
}
