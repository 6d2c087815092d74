import type { ViewProps } from '../views';

export default function View(_: ViewProps) {
  return <h1 tabIndex={-1}>magnets</h1>;
}
