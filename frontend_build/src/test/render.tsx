import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, useLocation } from 'react-router';
import { AppProviders } from '@/app/providers';
import { createQueryClient } from '@/app/queryClient';
import { AppRoutes } from '@/app/routes';

/** The current location, for assertions: rendered as text into a test-only element. */
function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{`${location.pathname}${location.search}`}</output>;
}

/** The whole app at `route`, with no animations: jsdom never ends a CSS transition, so a closing dialog would stay. */
export function renderApp(route = '/') {
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({ queries: { ...queryClient.getDefaultOptions().queries, retry: false } });
  const user = userEvent.setup();
  const utils = render(
    <AppProviders queryClient={queryClient} motion={false}>
      <MemoryRouter initialEntries={[route]}>
        <AppRoutes />
        <LocationProbe />
      </MemoryRouter>
    </AppProviders>,
  );
  const location = () => utils.getByTestId('location').textContent ?? '';
  return { ...utils, user, queryClient, location };
}
