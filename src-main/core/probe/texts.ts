/**
 * Every human-readable probe text exists in both UI languages, written where the facts are, so
 * the Korean twin carries the same numbers, host:port and status codes as the English one.
 */
export interface Bilingual {
  en: string;
  ko: string;
}

export function t(en: string, ko: string): Bilingual {
  return { en, ko };
}

const STATUS_MEANING: Record<number, Bilingual> = {
  400: t('Bad Request: malformed request syntax', 'Bad Request: 잘못된 요청 구문'),
  401: t('Unauthorized: missing or wrong credentials', 'Unauthorized: 자격 증명이 없거나 잘못됨'),
  403: t('Forbidden: access denied', 'Forbidden: 액세스 거부'),
  404: t('Not Found: resource not found', 'Not Found: 리소스를 찾을 수 없음'),
  407: t('Proxy Authentication Required', 'Proxy Authentication Required: 프록시 인증 필요'),
  500: t('Internal Server Error: server error', 'Internal Server Error: 서버 오류'),
  502: t('Bad Gateway: server communication error', 'Bad Gateway: 서버 간 통신 오류'),
  503: t(
    'Service Unavailable: server overloaded or in maintenance',
    'Service Unavailable: 서버 과부하 또는 유지 보수 중',
  ),
  504: t('Gateway Timeout: timeout between servers', 'Gateway Timeout: 서버 간 시간 초과'),
};

/** What an HTTP status means, as the reference document words it. */
export function statusMeaningText(status: number): Bilingual {
  return STATUS_MEANING[status] ?? t(`HTTP ${status}`, `HTTP ${status} 응답`);
}
