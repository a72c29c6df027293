import styled from 'styled-components';
import { Button } from '@zendeskgarden/react-buttons';

const Group = styled.div`
  display: flex;
  flex-wrap: wrap;
  gap: 4px;
  align-items: center;
  font-size: 12px;
`;

/** A small set of toggle buttons (aria-pressed), keyboard reachable in order. */
export function Segmented<T extends string>({
  label,
  value,
  options,
  onChange,
  testId,
}: {
  label: string;
  value: T;
  options: { value: T; label: string }[];
  onChange: (v: T) => void;
  testId: string;
}) {
  return (
    <Group role="group" aria-label={label} data-testid={testId}>
      <span aria-hidden="true">{label}:</span>
      {options.map((o) => (
        <Button
          key={o.value}
          size="small"
          isPill
          isBasic={o.value !== value}
          isPrimary={o.value === value}
          aria-pressed={o.value === value}
          onClick={() => onChange(o.value)}
        >
          {o.label}
        </Button>
      ))}
    </Group>
  );
}
