/** The name the backend registers under (tfjs backend names must not contain '_': the registry splits keys on it). */
export const BACKEND_NAME = 'simdnet';
