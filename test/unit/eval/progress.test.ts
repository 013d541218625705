import { describe, expect, it } from 'vitest';
import { createProgressBar } from '../../../eval/progress.js';

const recorder = (isTTY: boolean) => {
  const written: string[] = [];
  return { stream: { isTTY, columns: 80, write: (text: string) => written.push(text) }, written };
};

describe('createProgressBar', () => {
  it('redraws one line in place on a terminal and ends it once', () => {
    // Arrange
    const { stream, written } = recorder(true);
    const bar = createProgressBar(stream, 'eval');

    // Act
    bar.update(1, 4);
    bar.update(4, 4);
    bar.finish();

    // Assert
    expect(written).toHaveLength(3);
    expect(written[0]).toMatch(/^\reval \[#+-+\] 1\/4 {2}25%$/u);
    expect(written[1]).toMatch(/^\reval \[#+\] 4\/4 100%$/u);
    expect(written[2]).toBe('\n');
  });

  it('prints a line per quarter off a terminal, so CI logs stay short', () => {
    // Arrange
    const { stream, written } = recorder(false);
    const bar = createProgressBar(stream, 'eval');

    // Act
    for (let done = 1; done <= 100; done++) bar.update(done, 100);
    bar.finish();

    // Assert
    expect(written).toEqual([
      'eval: 1/100   1%\n',
      'eval: 25/100  25%\n',
      'eval: 50/100  50%\n',
      'eval: 75/100  75%\n',
      'eval: 100/100 100%\n',
    ]);
  });
});
