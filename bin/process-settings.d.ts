// Types of bin/process-settings.js (plain JavaScript: bin/shortfall.js reads it before tsx is registered).
export declare const nodeFlags: readonly string[];
export declare const processEnv: Readonly<Record<string, string>>;
