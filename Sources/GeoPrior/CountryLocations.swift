// Generated once from data; edit the data, not the shape.
//
// Source: population-weighted centroids for 2020 from "GeographicCentroids"
// by Rigonz (github.com/Rigonz/GeographicCentroids, data/country_centroids
// R1.csv, columns UN_2020_E LON/LAT), computed from CIESIN's Gridded
// Population of the World v4.11 administrative unit centre points with UN
// population estimates (CC BY 4.0). Rounded to 0.01° (about 1 km); ISO 3166-1
// alpha-3 codes mapped to alpha-2 with Debian's iso-codes; KOS as XK.
// Territories without population use the repository's geographic centroid
// (BV, GS, HM, IO, TF); AQ, CC, CX and UM (absent there) use the position of
// their main station or settlement.

/// A representative point for each country, where its people (and so its
/// networks) are: ISO 3166-1 alpha-2 code → population-weighted centroid.
public enum CountryLocations {
    public static let all: [String: GeoPoint] = Dictionary(
        uniqueKeysWithValues: table.map { ($0.0, GeoPoint(latitude: $0.1, longitude: $0.2)) })

    private static let table: [(String, Double, Double)] = [
        ("AD", 42.52, 1.56), // Andorra
        ("AE", 24.67, 55.14), // United Arab Emirates
        ("AF", 34.60, 67.49), // Afghanistan
        ("AG", 17.11, -61.82), // Antigua and Barbuda
        ("AI", 18.22, -63.06), // Anguilla
        ("AL", 41.20, 19.86), // Albania
        ("AM", 40.27, 44.59), // Armenia
        ("AO", -10.33, 14.49), // Angola
        ("AQ", -77.85, 166.67), // Antarctica (main station or settlement)
        ("AR", -32.91, -61.30), // Argentina
        ("AS", -14.31, -170.69), // American Samoa
        ("AT", 47.78, 14.69), // Austria
        ("AU", -32.78, 144.90), // Australia
        ("AW", 12.51, -69.99), // Aruba
        ("AX", 60.16, 19.99), // Åland Islands
        ("AZ", 40.27, 48.14), // Azerbaijan
        ("BA", 44.33, 17.91), // Bosnia and Herzegovina
        ("BB", 13.14, -59.56), // Barbados
        ("BD", 23.94, 90.26), // Bangladesh
        ("BE", 50.85, 4.44), // Belgium
        ("BF", 12.22, -1.89), // Burkina Faso
        ("BG", 42.72, 25.03), // Bulgaria
        ("BH", 26.17, 50.56), // Bahrain
        ("BI", -3.25, 29.84), // Burundi
        ("BJ", 8.08, 2.30), // Benin
        ("BL", 17.91, -62.83), // Saint Barthélemy
        ("BM", 32.30, -64.78), // Bermuda
        ("BN", 4.85, 114.81), // Brunei Darussalam
        ("BO", -17.44, -65.62), // Bolivia
        ("BQ", 13.58, -66.94), // Bonaire, Sint Eustatius and Saba
        ("BR", -16.64, -45.71), // Brazil
        ("BS", 25.25, -77.42), // Bahamas
        ("BT", 27.21, 90.23), // Bhutan
        ("BV", -54.43, 3.38), // Bouvet Island
        ("BW", -22.95, 25.62), // Botswana
        ("BY", 53.53, 27.83), // Belarus
        ("BZ", 17.36, -88.58), // Belize
        ("CA", 46.78, -87.04), // Canada
        ("CC", -12.12, 96.90), // Cocos (Keeling) Islands (main station or settlement)
        ("CD", -4.19, 23.97), // Congo, The Democratic Republic of the
        ("CF", 5.44, 18.43), // Central African Republic
        ("CG", -1.91, 15.20), // Congo
        ("CH", 47.02, 7.94), // Switzerland
        ("CI", 6.70, -5.34), // Côte d'Ivoire
        ("CK", -20.49, -159.80), // Cook Islands
        ("CL", -33.93, -71.23), // Chile
        ("CM", 6.16, 11.80), // Cameroon
        ("CN", 32.10, 113.70), // China
        ("CO", 5.87, -74.86), // Colombia
        ("CR", 9.97, -84.16), // Costa Rica
        ("CU", 21.77, -79.30), // Cuba
        ("CV", 15.68, -23.98), // Cabo Verde
        ("CW", 12.15, -68.92), // Curaçao
        ("CX", -10.42, 105.68), // Christmas Island (main station or settlement)
        ("CY", 35.02, 33.31), // Cyprus
        ("CZ", 49.83, 15.53), // Czechia
        ("DE", 50.79, 9.66), // Germany
        ("DJ", 11.60, 42.85), // Djibouti
        ("DK", 55.85, 10.90), // Denmark
        ("DM", 15.39, -61.35), // Dominica
        ("DO", 18.80, -70.15), // Dominican Republic
        ("DZ", 35.51, 3.48), // Algeria
        ("EC", -1.41, -79.28), // Ecuador
        ("EE", 59.01, 25.46), // Estonia
        ("EG", 29.57, 31.24), // Egypt
        ("EH", 26.02, -13.89), // Western Sahara
        ("ER", 15.51, 38.56), // Eritrea
        ("ES", 39.52, -3.24), // Spain
        ("ET", 9.01, 38.60), // Ethiopia
        ("FI", 61.66, 24.92), // Finland
        ("FJ", -17.71, 178.21), // Fiji
        ("FK", -51.72, -58.08), // Falkland Islands (Malvinas)
        ("FM", 7.20, 153.40), // Micronesia, Federated States of
        ("FO", 62.04, -6.82), // Faroe Islands
        ("FR", 47.00, 2.66), // France
        ("GA", -0.39, 11.23), // Gabon
        ("GB", 52.68, -1.61), // United Kingdom
        ("GD", 12.12, -61.68), // Grenada
        ("GE", 41.93, 43.71), // Georgia
        ("GF", 4.75, -53.06), // French Guiana
        ("GG", 49.47, -2.55), // Guernsey
        ("GH", 6.86, -0.99), // Ghana
        ("GI", 36.14, -5.35), // Gibraltar
        ("GL", 65.75, -50.34), // Greenland
        ("GM", 13.40, -16.06), // Gambia
        ("GN", 10.18, -11.59), // Guinea
        ("GP", 16.21, -61.55), // Guadeloupe
        ("GQ", 2.16, 9.94), // Equatorial Guinea
        ("GR", 38.68, 23.34), // Greece
        ("GS", -54.68, -35.91), // South Georgia and the South Sandwich Islands
        ("GT", 14.97, -90.76), // Guatemala
        ("GU", 13.49, 144.81), // Guam
        ("GW", 12.01, -15.25), // Guinea-Bissau
        ("GY", 6.49, -58.22), // Guyana
        ("HK", 22.35, 114.15), // Hong Kong
        ("HM", -53.09, 73.51), // Heard Island and McDonald Islands
        ("HN", 14.77, -87.47), // Honduras
        ("HR", 45.21, 16.34), // Croatia
        ("HT", 18.88, -72.61), // Haiti
        ("HU", 47.32, 19.40), // Hungary
        ("ID", -4.82, 110.41), // Indonesia
        ("IE", 53.13, -7.39), // Ireland
        ("IL", 32.13, 34.99), // Israel
        ("IM", 54.19, -4.53), // Isle of Man
        ("IN", 22.50, 80.11), // India
        ("IO", -6.68, 72.12), // British Indian Ocean Territory
        ("IQ", 33.62, 44.63), // Iraq
        ("IR", 34.08, 51.92), // Iran
        ("IS", 64.32, -21.19), // Iceland
        ("IT", 42.92, 12.12), // Italy
        ("JE", 49.20, -2.12), // Jersey
        ("JM", 18.12, -77.19), // Jamaica
        ("JO", 31.98, 35.92), // Jordan
        ("JP", 35.54, 137.07), // Japan
        ("KE", -0.30, 36.74), // Kenya
        ("KG", 41.57, 73.73), // Kyrgyzstan
        ("KH", 12.28, 104.53), // Cambodia
        ("KI", 1.30, 175.63), // Kiribati
        ("KM", -11.97, 43.59), // Comoros
        ("KN", 17.27, -62.70), // Saint Kitts and Nevis
        ("KP", 39.64, 126.58), // North Korea
        ("KR", 36.66, 127.48), // South Korea
        ("KW", 29.23, 47.93), // Kuwait
        ("KY", 19.32, -81.29), // Cayman Islands
        ("KZ", 46.56, 69.95), // Kazakhstan
        ("LA", 17.93, 103.83), // Laos
        ("LB", 33.84, 35.62), // Lebanon
        ("LC", 13.93, -60.97), // Saint Lucia
        ("LI", 47.16, 9.55), // Liechtenstein
        ("LK", 7.20, 80.43), // Sri Lanka
        ("LR", 6.49, -9.87), // Liberia
        ("LS", -29.45, 27.96), // Lesotho
        ("LT", 55.17, 23.95), // Lithuania
        ("LU", 49.65, 6.09), // Luxembourg
        ("LV", 56.83, 24.46), // Latvia
        ("LY", 31.39, 15.78), // Libya
        ("MA", 33.17, -6.66), // Morocco
        ("MC", 43.74, 7.42), // Monaco
        ("MD", 47.16, 28.60), // Moldova
        ("ME", 42.59, 19.25), // Montenegro
        ("MF", 18.08, -63.06), // Saint Martin (French part)
        ("MG", -19.34, 47.28), // Madagascar
        ("MH", 7.69, 169.97), // Marshall Islands
        ("MK", 41.73, 21.52), // North Macedonia
        ("ML", 13.40, -6.45), // Mali
        ("MM", 19.48, 96.15), // Myanmar
        ("MN", 47.83, 105.11), // Mongolia
        ("MO", 22.19, 113.55), // Macao
        ("MP", 15.11, 145.70), // Northern Mariana Islands
        ("MQ", 14.63, -61.01), // Martinique
        ("MR", 17.17, -12.95), // Mauritania
        ("MS", 16.78, -62.20), // Montserrat
        ("MT", 35.90, 14.46), // Malta
        ("MU", -20.22, 57.76), // Mauritius
        ("MV", 3.85, 73.29), // Maldives
        ("MW", -14.18, 34.41), // Malawi
        ("MX", 21.29, -100.07), // Mexico
        ("MY", 3.83, 104.61), // Malaysia
        ("MZ", -17.81, 36.01), // Mozambique
        ("NA", -20.01, 17.02), // Namibia
        ("NC", -21.92, 166.22), // New Caledonia
        ("NE", 14.05, 6.07), // Niger
        ("NF", -29.03, 167.95), // Norfolk Island
        ("NG", 8.65, 7.21), // Nigeria
        ("NI", 12.63, -85.84), // Nicaragua
        ("NL", 52.09, 5.29), // Netherlands
        ("NO", 60.89, 9.64), // Norway
        ("NP", 27.55, 84.75), // Nepal
        ("NR", -0.53, 166.93), // Nauru
        ("NU", -19.06, -169.88), // Niue
        ("NZ", -39.37, 174.38), // New Zealand
        ("OM", 22.70, 57.36), // Oman
        ("PA", 8.80, -80.31), // Panama
        ("PE", -10.74, -76.25), // Peru
        ("PF", -17.28, -149.15), // French Polynesia
        ("PG", -6.16, 145.90), // Papua New Guinea
        ("PH", 12.24, 122.50), // Philippines
        ("PK", 30.46, 71.40), // Pakistan
        ("PL", 51.70, 19.31), // Poland
        ("PM", 46.80, -56.20), // Saint Pierre and Miquelon
        ("PN", -24.43, -128.50), // Pitcairn
        ("PR", 18.28, -66.34), // Puerto Rico
        ("PS", 31.75, 34.93), // Palestine, State of
        ("PT", 39.63, -9.25), // Portugal
        ("PW", 7.31, 134.44), // Palau
        ("PY", -25.27, -56.68), // Paraguay
        ("QA", 25.32, 51.45), // Qatar
        ("RE", -21.09, 55.48), // Réunion
        ("RO", 45.04, 26.02), // Romania
        ("RS", 44.44, 20.60), // Serbia
        ("RU", 53.48, 52.39), // Russian Federation
        ("RW", -1.98, 29.90), // Rwanda
        ("SA", 23.40, 43.61), // Saudi Arabia
        ("SB", -9.05, 159.99), // Solomon Islands
        ("SC", -4.65, 55.45), // Seychelles
        ("SD", 14.22, 30.75), // Sudan
        ("SE", 58.74, 15.43), // Sweden
        ("SG", 1.36, 103.84), // Singapore
        ("SH", -15.78, -7.64), // Saint Helena, Ascension and Tristan da Cunha
        ("SI", 46.15, 14.86), // Slovenia
        ("SJ", 78.85, 18.31), // Svalbard and Jan Mayen
        ("SK", 48.66, 19.20), // Slovakia
        ("SL", 8.39, -12.09), // Sierra Leone
        ("SM", 43.95, 12.47), // San Marino
        ("SN", 14.50, -16.01), // Senegal
        ("SO", 4.99, 45.14), // Somalia
        ("SR", 5.62, -55.32), // Suriname
        ("SS", 6.35, 31.45), // South Sudan
        ("ST", 0.36, 6.70), // Sao Tome and Principe
        ("SV", 13.72, -89.08), // El Salvador
        ("SX", 18.04, -63.06), // Sint Maarten (Dutch part)
        ("SY", 35.04, 37.29), // Syria
        ("SZ", -26.52, 31.42), // Eswatini
        ("TC", 21.74, -72.08), // Turks and Caicos Islands
        ("TD", 11.62, 17.53), // Chad
        ("TF", -48.98, 68.62), // French Southern Territories
        ("TG", 7.71, 1.06), // Togo
        ("TH", 14.10, 101.01), // Thailand
        ("TJ", 38.70, 69.21), // Tajikistan
        ("TK", -9.03, -171.83), // Tokelau
        ("TL", -8.76, 125.65), // Timor-Leste
        ("TM", 38.87, 60.06), // Turkmenistan
        ("TN", 35.78, 10.04), // Tunisia
        ("TO", -20.66, -175.05), // Tonga
        ("TR", 39.28, 32.86), // Türkiye
        ("TT", 10.52, -61.35), // Trinidad and Tobago
        ("TV", -8.04, 178.71), // Tuvalu
        ("TW", 24.20, 120.95), // Taiwan
        ("TZ", -5.47, 35.24), // Tanzania
        ("UA", 48.78, 31.62), // Ukraine
        ("UG", 0.94, 32.25), // Uganda
        ("UM", 19.28, 166.65), // United States Minor Outlying Islands (main station or settlement)
        ("US", 37.14, -92.34), // United States
        ("UY", -34.06, -56.22), // Uruguay
        ("UZ", 40.46, 67.67), // Uzbekistan
        ("VA", 41.90, 12.45), // Holy See (Vatican City State)
        ("VC", 13.16, -61.20), // Saint Vincent and the Grenadines
        ("VE", 9.75, -67.93), // Venezuela
        ("VG", 18.43, -64.59), // Virgin Islands, British
        ("VI", 18.06, -64.85), // Virgin Islands, U.S.
        ("VN", 15.38, 106.43), // Vietnam
        ("VU", -16.82, 168.04), // Vanuatu
        ("WF", -13.58, -176.75), // Wallis and Futuna
        ("WS", -13.83, -171.95), // Samoa
        ("XK", 42.54, 20.92), // Kosovo
        ("YE", 14.73, 44.43), // Yemen
        ("YT", -12.80, 45.17), // Mayotte
        ("ZA", -28.20, 27.58), // South Africa
        ("ZM", -13.58, 28.64), // Zambia
        ("ZW", -18.65, 30.62), // Zimbabwe
    ]
}
