import type { ViewProps } from '../views';
import LeadDetail from './leads/detail';
import LeadList from './leads/list';

/** The lead list (#/leads?filters) and one lead (#/leads/<id>). */
export default function LeadsView({ route }: ViewProps) {
  const id = route.rest[0];
  return id ? <LeadDetail key={id} id={id} /> : <LeadList route={route} />;
}
