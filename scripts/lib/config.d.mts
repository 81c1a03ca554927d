export const CONFIG_TOML: string;
export function exposedSchemas(configToml?: string): string[];
