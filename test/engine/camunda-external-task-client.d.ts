// The little of camunda-external-task-client-js (plain JS, no types) that the tests use.
declare module "camunda-external-task-client-js" {
  export class Variables {
    get(name: string): unknown;
    getAllTyped(): Record<string, { type: string; value: unknown; valueInfo: Record<string, unknown> }>;
    set(name: string, value: unknown): this;
    setTyped(name: string, typed: { type: string; value: unknown; valueInfo: Record<string, unknown> }): this;
  }
  export interface Task {
    id: string;
    topicName: string;
    businessKey: string | null;
    processInstanceId: string;
    variables: Variables;
  }
  export interface TaskService {
    complete(task: Task, variables?: Variables, localVariables?: Variables): Promise<void>;
    handleFailure(
      task: Task,
      options: { errorMessage?: string; errorDetails?: string; retries?: number; retryTimeout?: number },
    ): Promise<void>;
    handleBpmnError(task: Task, errorCode: string, errorMessage?: string, variables?: Variables): Promise<void>;
    extendLock(task: Task, newDuration: number): Promise<void>;
  }
  export class BasicAuthInterceptor {
    constructor(options: { username: string; password: string });
  }
  export class Client {
    constructor(options: {
      baseUrl: string;
      workerId?: string;
      interceptors?: unknown;
      asyncResponseTimeout?: number;
      interval?: number;
      lockDuration?: number;
      maxTasks?: number;
      autoPoll?: boolean;
      use?: unknown;
    });
    subscribe(
      topic: string,
      options: { variables?: string[]; lockDuration?: number },
      handler: (args: { task: Task; taskService: TaskService }) => Promise<void>,
    ): void;
    start(): void;
    stop(): void;
    on(event: string, listener: (...args: unknown[]) => void): void;
  }
}
