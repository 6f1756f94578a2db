/**
 * The widget's words, in English and Vietnamese. A locale like `vi-VN` uses `vi`; anything
 * unknown falls back to English. Shops can override any string per prompt.
 */
export type PromptKind = 'nps' | 'csat' | 'ces' | 'rating';

export interface PromptStrings {
  question: Record<PromptKind, string>;
  low: Record<PromptKind, string>;
  high: Record<PromptKind, string>;
  /** `{score}` and `{max}` are replaced. */
  scoreLabel: string;
  comment: string;
  send: string;
  close: string;
  thanks: string;
  dialog: string;
  /** Heading of the topic choice (the feedback tab: what is the feedback about?). */
  topic: string;
  /** The comment box's label when the comment is the whole answer (`text`). */
  answer: string;
}

export const STRINGS: Record<'en' | 'vi', PromptStrings> = {
  en: {
    question: {
      nps: 'How likely are you to recommend us to a friend or colleague?',
      csat: 'How satisfied are you with your experience?',
      ces: 'How easy was it to get what you needed?',
      rating: 'How would you rate your experience?',
    },
    low: { nps: 'Not at all likely', csat: 'Very dissatisfied', ces: 'Very difficult', rating: 'Poor' },
    high: { nps: 'Extremely likely', csat: 'Very satisfied', ces: 'Very easy', rating: 'Excellent' },
    scoreLabel: '{score} out of {max}',
    comment: 'Anything you would like to add? (optional)',
    send: 'Send',
    close: 'Close',
    thanks: 'Thank you for your feedback!',
    dialog: 'Feedback',
    topic: 'What is it about?',
    answer: 'Your answer',
  },
  vi: {
    question: {
      nps: 'Bạn có sẵn lòng giới thiệu chúng tôi với bạn bè hoặc đồng nghiệp không?',
      csat: 'Bạn hài lòng với trải nghiệm của mình ở mức nào?',
      ces: 'Bạn thấy việc đạt được điều mình cần dễ dàng đến mức nào?',
      rating: 'Bạn đánh giá trải nghiệm của mình thế nào?',
    },
    low: { nps: 'Hoàn toàn không', csat: 'Rất không hài lòng', ces: 'Rất khó', rating: 'Kém' },
    high: { nps: 'Chắc chắn có', csat: 'Rất hài lòng', ces: 'Rất dễ', rating: 'Xuất sắc' },
    scoreLabel: '{score} trên {max}',
    comment: 'Bạn có muốn góp ý thêm không? (không bắt buộc)',
    send: 'Gửi',
    close: 'Đóng',
    thanks: 'Cảm ơn bạn đã góp ý!',
    dialog: 'Góp ý',
    topic: 'Góp ý của bạn về điều gì?',
    answer: 'Câu trả lời của bạn',
  },
};

export function stringsFor(locale: string | undefined): PromptStrings {
  return locale?.toLowerCase().startsWith('vi') ? STRINGS.vi : STRINGS.en;
}
