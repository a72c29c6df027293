import { useContext } from 'react';
import { ClientContext, type ClientValue } from '../contexts/ClientProvider';

export function useClient(): ClientValue {
  const value = useContext(ClientContext);
  if (!value) throw new Error('useClient must be used inside <ClientProvider> once the app is registered');
  return value;
}
