import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { SessionInfo } from './api';

/** The signed-in key's session; its scopes decide which controls a view shows (the API refuses anyway). */
export const SessionContext = createContext<SessionInfo | null>(null);

export function useSession(): SessionInfo {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in view');
  return s;
}

/** True when the key holds the scope, e.g. can('config:write'). */
export function useCan(): (scope: string) => boolean {
  const s = useSession();
  return (scope) => s.key.scopes.includes(scope);
}
