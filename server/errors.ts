export interface ErrorDetail {
  path: string;
  message: string;
}

/** An error whose message is safe to show to the user (Chinese) and whose status is the HTTP answer. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super(400, "validation_failed", message, details);
  }
}

export class AuthenticationError extends AppError {
  constructor(message = "请先登录") {
    super(401, "unauthenticated", message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = "您没有执行此操作的权限") {
    super(403, "forbidden", message);
  }
}

export class NotFoundError extends AppError {
  constructor(message = "找不到请求的内容") {
    super(404, "not_found", message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = "conflict", details: ErrorDetail[] = []) {
    super(409, code, message, details);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message = "提交的内容过大") {
    super(413, "payload_too_large", message);
  }
}

export class TooManyRequestsError extends AppError {
  constructor(message = "操作太频繁，请稍后再试") {
    super(429, "too_many_requests", message);
  }
}

/** For `.catch(nullWhenNotFound)`: a missing row reads as null; any other failure (the database) still throws. */
export function nullWhenNotFound(err: unknown): null {
  if (err instanceof NotFoundError) return null;
  throw err;
}
