//! Deliberation and participation — the place for the pure part of that capability: bodies
//! (総合計画審議会, まち・ひと・しごと創生有識者会議 with its 産官学金労言 composition, まちづくり
//! スタッフ会議 with one 部会 per goal, まち・ひと・しごとを語る会), members with terms, meetings
//! with quorum (半数以上), 諮問 → 答申 tied to plan versions, and one register of opinions from
//! every channel, each pointing at a plan element, indicator or program by its stable id,
//! grouped and answered (市の考え方, 対応区分).
